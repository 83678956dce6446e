-- End-to-end test: real Neovim (0.11+), the shipped editors/neovim/lsp/pattern_language.lua, and the
-- real server binary. Run by tests/editors/neovim/run.sh, which sets PL_REPO and
-- PATTERN_LANGUAGE_BIN and starts `nvim --clean --headless -c 'luafile e2e.lua'`.
--
-- Prints one PASS/FAIL line per check and exits 0 only when every check passed. Every wait is
-- bounded by one overall deadline, so the run never hangs.

local repo = os.getenv('PL_REPO')
local bin = os.getenv('PATTERN_LANGUAGE_BIN')
local budget_ms = tonumber(os.getenv('PL_E2E_BUDGET_MS') or '') or 45000
local deadline = vim.uv.now() + budget_ms

local fixture = os.getenv('PL_FIXTURE') or ((repo or '') .. '/tests/editors/fixtures/bookshop')
local results = {}

local function say(line)
  io.stdout:write(line .. '\n')
  io.stdout:flush()
end

local function check(name, ok, detail)
  table.insert(results, { name = name, ok = ok and true or false })
  local line = (ok and 'PASS ' or 'FAIL ') .. name
  if detail and detail ~= '' then
    line = line .. ' -- ' .. detail
  end
  say(line)
  return ok
end

--- Waits for `cond` at most `ms` (and never past the overall deadline).
local function wait(ms, cond)
  local left = deadline - vim.uv.now()
  if left <= 0 then
    return cond()
  end
  return vim.wait(math.min(ms, left), cond, 50)
end

local function remaining(ms)
  return math.max(1, math.min(ms, deadline - vim.uv.now()))
end

local function short(s, n)
  s = tostring(s):gsub('%s+', ' ')
  n = n or 160
  return #s > n and (s:sub(1, n) .. '...') or s
end

--- Finds the 0-based {line, character} of `needle` in a buffer (ASCII fixtures: bytes = UTF-16 units).
local function find(buf, needle, offset)
  for i, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local col = line:find(needle, 1, true)
    if col then
      return { line = i - 1, character = col - 1 + (offset or 0) }
    end
  end
  error('fixture text not found: ' .. needle)
end

local function pos_params(buf, pos)
  return { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = pos }
end

--- One request to our client; returns result, error-string.
local function request(client, buf, method, params, ms)
  local resp, err = client:request_sync(method, params, remaining(ms or 5000), buf)
  if not resp then
    return nil, 'no answer to ' .. method .. ' (' .. tostring(err) .. ')'
  end
  if resp.err then
    return nil, method .. ' failed: ' .. short(vim.inspect(resp.err))
  end
  return resp.result, nil
end

local function hover_text(result)
  if not result or not result.contents then
    return nil
  end
  local c = result.contents
  if type(c) == 'string' then
    return c
  end
  if c.value then
    return c.value
  end
  local parts = {}
  for _, m in ipairs(c) do
    table.insert(parts, type(m) == 'string' and m or m.value or '')
  end
  return table.concat(parts, '\n')
end

local function open(path)
  vim.cmd.edit(vim.fn.fnameescape(path))
  return vim.api.nvim_get_current_buf()
end

local function attached_client(buf)
  local client
  wait(15000, function()
    client = vim.lsp.get_clients({ bufnr = buf, name = 'pattern_language' })[1]
    return client ~= nil and client.initialized == true
  end)
  return client
end

local function diagnostics_with_code(buf, code)
  local found = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.code == code then
      table.insert(found, d)
    end
  end
  return found
end

local function diag_summary(buf)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(out, string.format('%s/%s@%d', tostring(d.source), tostring(d.code), d.lnum + 1))
  end
  return #out > 0 and table.concat(out, ', ') or 'none'
end

local function main()
  assert(repo and repo ~= '', 'PL_REPO is not set')
  assert(bin and bin ~= '', 'PATTERN_LANGUAGE_BIN is not set')
  vim.lsp.log.set_level(vim.log.levels.WARN)

  -- 1. The shipped config, and only it.
  local shipped = repo .. '/editors/neovim'
  vim.opt.runtimepath:prepend(shipped)
  local files = vim.api.nvim_get_runtime_file('lsp/pattern_language.lua', true)
  check(
    'runtimepath has exactly the shipped lsp/pattern_language.lua',
    #files == 1 and vim.fs.normalize(files[1]) == vim.fs.normalize(shipped .. '/lsp/pattern_language.lua'),
    table.concat(files, ', ')
  )
  local raw = dofile(shipped .. '/lsp/pattern_language.lua')
  check(
    'lsp/pattern_language.lua returns the documented table',
    vim.deep_equal(raw.cmd, { 'pattern-language', 'server' })
      and vim.deep_equal(raw.filetypes, { 'python', 'markdown' })
      and vim.deep_equal(raw.root_markers, { 'pyproject.toml', 'manage.py', 'pattern-language.toml', '.git' }),
    short(vim.inspect({ raw.cmd, raw.filetypes, raw.root_markers }), 300)
  )

  -- The nvim-lspconfig variant agrees with it (loaded with a stand-in for lspconfig.util).
  package.preload['lspconfig.util'] = function()
    return {
      root_pattern = function(...)
        local markers = { ... }
        return function(fname)
          return vim.fs.root(fname, markers)
        end
      end,
    }
  end
  local ok_lc, lc = pcall(dofile, shipped .. '/lua/lspconfig/configs/pattern_language.lua')
  check(
    'lua/lspconfig/configs/pattern_language.lua matches lsp/pattern_language.lua',
    ok_lc
      and vim.deep_equal(lc.default_config.cmd, raw.cmd)
      and vim.deep_equal(lc.default_config.filetypes, raw.filetypes)
      and lc.default_config.root_dir(fixture .. '/orders/models.py') == fixture,
    ok_lc and '' or tostring(lc)
  )

  -- Only cmd is overridden, by merge; everything else comes from the shipped file.
  vim.lsp.config('pattern_language', { cmd = { bin, 'server' } })
  local merged = vim.lsp.config.pattern_language
  check(
    'vim.lsp.config merge keeps the shipped fields',
    merged.cmd[1] == bin
      and merged.cmd[2] == 'server'
      and vim.deep_equal(merged.filetypes, raw.filetypes)
      and vim.deep_equal(merged.root_markers, raw.root_markers),
    short(vim.inspect(merged.cmd))
  )
  vim.lsp.enable('pattern_language')

  -- 2. Markdown.
  local md = open(fixture .. '/docs/adr-0001-customer-data.md')
  local client = attached_client(md)
  if not check('the server starts and attaches to a Markdown buffer', client ~= nil, 'filetype=' .. vim.bo[md].filetype) then
    return
  end
  check('root directory comes from root_markers (pyproject.toml)', client.root_dir == fixture, tostring(client.root_dir))

  local hover, err = request(client, md, 'textDocument/hover', pos_params(md, find(md, 'anticorruption layer', 2)))
  local text = hover_text(hover)
  local first = text and vim.split(vim.trim(text), '\n')[1] or nil
  check('Markdown hover on "anticorruption layer" starts with "### Anticorruption layer"', first == '### Anticorruption layer', err or short(first or 'empty hover'))

  -- Completion while typing a reference: a new line "See also [[" (an edit sent with didChange).
  local last = vim.api.nvim_buf_line_count(md)
  vim.api.nvim_buf_set_lines(md, last, last, false, { '', 'See also [[' })
  local typed = { line = last + 1, character = #'See also [[' }
  local comp
  comp, err = request(client, md, 'textDocument/completion', {
    textDocument = { uri = vim.uri_from_bufnr(md) },
    position = typed,
    context = { triggerKind = 2, triggerCharacter = '[' },
  })
  local items = comp and (comp.items or comp) or {}
  local seen = {}
  for _, item in ipairs(items) do
    for _, s in ipairs({ item.label, item.insertText, item.filterText, item.textEdit and item.textEdit.newText }) do
      if type(s) == 'string' then
        seen[s:gsub('%]%]$', '')] = true
      end
    end
  end
  local ids = {}
  local list = vim.system({ bin, 'catalog', 'list', '--format', 'json' }, { text = true }):wait(remaining(10000))
  local ok_json, catalog = pcall(vim.json.decode, list.stdout or '')
  if ok_json and type(catalog) == 'table' then
    for _, p in ipairs(catalog) do
      table.insert(ids, p.id)
    end
  end
  local missing = {}
  for _, id in ipairs(ids) do
    if not seen[id] then
      table.insert(missing, id)
    end
  end
  check(
    'completion after "[[" offers every pattern id of `catalog list`',
    #ids >= 36 and #missing == 0,
    err or string.format('%d items, %d catalog ids, missing: %s', #items, #ids, #missing > 0 and table.concat(missing, ' ') or 'none')
  )
  vim.api.nvim_buf_set_lines(md, last, -1, false, {})

  -- Diagnostics: [[no-such-pattern]] is unknown.
  wait(10000, function()
    return #diagnostics_with_code(md, 'unknown-pattern') > 0
  end)
  local unknown = diagnostics_with_code(md, 'unknown-pattern')[1]
  check(
    'diagnostic unknown-pattern (source pattern-language) on [[no-such-pattern]]',
    unknown ~= nil and unknown.source == 'pattern-language' and unknown.lnum == find(md, '[[no-such-pattern]]').line,
    'diagnostics: ' .. diag_summary(md)
  )

  -- Quick fixes: the typo [[anticorruption-layr]] gets "replace with [[anticorruption-layer]]".
  local function quickfixes(d)
    local lsp_diag = d.user_data and d.user_data.lsp
      or {
        range = {
          start = { line = d.lnum, character = d.col },
          ['end'] = { line = d.end_lnum, character = d.end_col },
        },
        message = d.message,
        code = d.code,
        source = d.source,
      }
    local actions, qerr = request(client, md, 'textDocument/codeAction', {
      textDocument = { uri = vim.uri_from_bufnr(md) },
      range = lsp_diag.range,
      context = { diagnostics = { lsp_diag }, only = { 'quickfix' }, triggerKind = 1 },
    })
    local titles, fixes = {}, {}
    for _, a in ipairs(actions or {}) do
      table.insert(titles, a.title)
      if a.kind and (a.kind == 'quickfix' or vim.startswith(a.kind, 'quickfix.')) then
        table.insert(fixes, a)
      end
    end
    return fixes, qerr or ('actions: ' .. (#titles > 0 and table.concat(titles, ' | ') or 'none'))
  end
  local typo_line = find(md, '[[anticorruption-layr]]').line
  local typo
  for _, d in ipairs(diagnostics_with_code(md, 'unknown-pattern')) do
    if d.lnum == typo_line then
      typo = d
    end
  end
  if check('diagnostic unknown-pattern on the typo [[anticorruption-layr]]', typo ~= nil, 'diagnostics: ' .. diag_summary(md)) then
    local fixes, detail = quickfixes(typo)
    local replaces = false
    for _, a in ipairs(fixes) do
      local edits = a.edit and a.edit.changes and a.edit.changes[vim.uri_from_bufnr(md)] or {}
      for _, e in ipairs(edits) do
        if e.newText == '[[anticorruption-layer]]' then
          replaces = true
        end
      end
    end
    check('a quickfix replaces [[anticorruption-layr]] with [[anticorruption-layer]]', replaces, detail)
  end
  if unknown then
    local fixes, detail = quickfixes(unknown)
    check('a quickfix for [[no-such-pattern]]', #fixes > 0, detail)
  end

  -- Go to definition on [[anticorruption-layer]].
  local def
  def, err = request(client, md, 'textDocument/definition', pos_params(md, find(md, '[[anticorruption-layer]]', 4)))
  local target
  if def then
    local loc = def.uri and def or def[1]
    target = loc and (loc.uri or loc.targetUri)
  end
  local page_exists = target ~= nil and vim.startswith(target, 'file:') and vim.uv.fs_stat(vim.uri_to_fname(target)) ~= nil
  check(
    'definition of [[anticorruption-layer]] is the pattern page, an existing file',
    target ~= nil and target:find('anticorruption%-layer') ~= nil and page_exists,
    err or tostring(target)
  )

  -- 3. Python.
  local repo_buf = open(fixture .. '/orders/repositories.py')
  local pyclient = attached_client(repo_buf)
  check('the same client attaches to a Python buffer', pyclient ~= nil and pyclient.id == client.id, vim.bo[repo_buf].filetype)
  if pyclient then
    hover, err = request(pyclient, repo_buf, 'textDocument/hover', pos_params(repo_buf, find(repo_buf, 'DjangoOrderRepository', 3)))
    text = hover_text(hover)
    check('Python hover on a Django ORM repository class mentions "Django ORM repository"', text ~= nil and text:find('Django ORM repository', 1, true) ~= nil, err or short(text or 'empty hover'))
  end

  local models = open(fixture .. '/orders/models.py')
  wait(10000, function()
    return #diagnostics_with_code(models, 'uuid4-primary-key') > 0
  end)
  local uuid4 = diagnostics_with_code(models, 'uuid4-primary-key')[1]
  check(
    'diagnostic uuid4-primary-key on the primary key line of models.py',
    uuid4 ~= nil and uuid4.lnum == find(models, 'primary_key=True').line,
    'diagnostics: ' .. diag_summary(models)
  )

  -- 4. Settings sent with workspace/didChangeConfiguration under "pattern-language" apply.
  if uuid4 then
    client.settings = { ['pattern-language'] = { severity = { ['uuid4-primary-key'] = 'error' } } }
    client:notify('workspace/didChangeConfiguration', { settings = client.settings })
    wait(10000, function()
      local d = diagnostics_with_code(models, 'uuid4-primary-key')[1]
      return d ~= nil and d.severity == vim.diagnostic.severity.ERROR
    end)
    local d = diagnostics_with_code(models, 'uuid4-primary-key')[1]
    check(
      'didChangeConfiguration severity {uuid4-primary-key = error} re-publishes it as an error',
      d ~= nil and d.severity == vim.diagnostic.severity.ERROR,
      d and ('severity ' .. tostring(d.severity)) or 'diagnostic gone'
    )
  end

  -- 5. :PatternLanguageMap (plugin/pattern_language.lua): the server writes the context map as
  -- SVG and asks Neovim to open it externally (window/showDocument -> vim.ui.open, stubbed here).
  vim.cmd('runtime! plugin/pattern_language.lua')
  local opened
  local real_open = vim.ui.open
  vim.ui.open = function(target)
    opened = target
    return { wait = function() return { code = 0 } end }, nil
  end
  local cmd_ok, cmd_err = pcall(vim.cmd, 'PatternLanguageMap')
  wait(15000, function()
    return opened ~= nil
  end)
  vim.ui.open = real_open
  local svg_file = opened and vim.startswith(opened, 'file:') and vim.uri_to_fname(opened) or nil
  local svg_text = svg_file and vim.uv.fs_stat(svg_file) and table.concat(vim.fn.readfile(svg_file), '\n') or ''
  check(
    ':PatternLanguageMap opens the SVG the server wrote (window/showDocument, external)',
    cmd_ok and svg_file ~= nil and svg_file:find('context%-map%.svg$') ~= nil and svg_text:find('<svg', 1, true) ~= nil,
    cmd_ok and tostring(opened) or tostring(cmd_err)
  )
end

local ok, trace = xpcall(main, debug.traceback)
if not ok then
  check('the test script ran to the end', false, trace)
end

local passed, failed = 0, 0
for _, r in ipairs(results) do
  if r.ok then
    passed = passed + 1
  else
    failed = failed + 1
  end
end
say(string.format('neovim e2e: %d of %d checks passed', passed, passed + failed))

for _, c in ipairs(vim.lsp.get_clients()) do
  c:stop(true)
end
vim.wait(1000, function()
  return #vim.lsp.get_clients() == 0
end, 50)
if failed == 0 and passed > 0 then
  vim.cmd('qall!')
else
  vim.cmd('cquit 1')
end
