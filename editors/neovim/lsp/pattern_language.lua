-- pattern-language: Domain-Driven Design patterns for Django, in Python code and Markdown docs.
--
-- Neovim 0.11+ (`:help lsp-config`). Put this folder on 'runtimepath' (or copy this file into
-- `~/.config/nvim/lsp/`), then:
--
--   vim.lsp.enable('pattern_language')
--
-- Change anything with a merge, for example:
--
--   vim.lsp.config('pattern_language', {
--     cmd = { '/path/to/pattern-language', 'server' },
--     settings = { ['pattern-language'] = { ignore = { 'uuid4-primary-key' } } },
--   })
--
-- Options, in `settings['pattern-language']`: catalog, exclude, select, ignore, severity, contexts,
-- inlayHints, codeLens. Settings you leave out come from `[tool.pattern-language]` in
-- pyproject.toml or `pattern-language.toml`.

---@type vim.lsp.Config
return {
  cmd = { 'pattern-language', 'server' },
  filetypes = { 'python', 'markdown' },
  root_markers = { 'pyproject.toml', 'manage.py', 'pattern-language.toml', '.git' },
  -- No default `settings`: Neovim would send even `{ ['pattern-language'] = {} }` with
  -- workspace/didChangeConfiguration, and the server would let it replace your `init_options`.
}
