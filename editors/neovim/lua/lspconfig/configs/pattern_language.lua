-- pattern-language for nvim-lspconfig's `require('lspconfig').pattern_language.setup{}` API.
--
-- nvim-lspconfig finds this file as `lspconfig.configs.pattern_language` once this folder
-- (editors/neovim) is on 'runtimepath'. On Neovim 0.11+ prefer `lsp/pattern_language.lua` with
-- `vim.lsp.enable('pattern_language')`; this file is for setups still on the `setup{}` API.
--
--   require('lspconfig').pattern_language.setup({
--     settings = { ['pattern-language'] = { contexts = { billing = { 'billing', 'invoicing' } } } },
--   })

local util = require('lspconfig.util')

return {
  default_config = {
    cmd = { 'pattern-language', 'server' },
    filetypes = { 'python', 'markdown' },
    root_dir = util.root_pattern('pyproject.toml', 'manage.py', 'pattern-language.toml', '.git'),
    single_file_support = true,
  },
  docs = {
    description = [==[
`pattern-language` is a language server for Django teams applying Domain-Driven Design. It explains
the patterns a class or a settings entry implements on hover, flags the smells the catalog warns
about, completes `[[pattern-id]]` references in Markdown and jumps to the pattern page.

Install the binary with `cargo install --path server` from a checkout of the repository.
]==],
  },
}
