-- :PatternLanguageMap draws the context map of the project: the pattern-language server writes
-- it as SVG (in the user cache folder) and asks Neovim to open it with window/showDocument, which
-- Neovim hands to `vim.ui.open` (your browser or image viewer).
if vim.g.loaded_pattern_language then
  return
end
vim.g.loaded_pattern_language = true

vim.api.nvim_create_user_command('PatternLanguageMap', function()
  local clients = vim.lsp.get_clients({ name = 'pattern_language', bufnr = 0 })
  if #clients == 0 then
    clients = vim.lsp.get_clients({ name = 'pattern_language' })
  end
  local client = clients[1]
  if not client then
    vim.notify('pattern-language: the server is not running', vim.log.levels.WARN)
    return
  end
  local command = {
    title = 'Show context map',
    command = 'pattern-language.showContextMap',
    arguments = { { uri = client.root_dir and vim.uri_from_fname(client.root_dir) or nil } },
  }
  local function done(err, result)
    if err then
      vim.notify('pattern-language: ' .. tostring(err.message or err), vim.log.levels.ERROR)
    elseif type(result) == 'table' and result.path then
      vim.notify('pattern-language: context map at ' .. result.path)
    end
  end
  if client.exec_cmd then
    client:exec_cmd(command, { bufnr = 0 }, done)
  else
    client.request('workspace/executeCommand', command, done, 0)
  end
end, { desc = 'pattern-language: show the context map' })
