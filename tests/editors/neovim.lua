-- Drives Neovim's built-in LSP client against `plan-lint lsp` (tests/it/editor_neovim.rs runs it
-- headless). Opens the plan, waits for diagnostics, fixes the items, asks for completion and
-- hover, and writes what the editor saw to $PLAN_LINT_OUT as JSON. Works with Neovim 0.7
-- (Debian 12's; `vim.lsp.start_client`) and later (`vim.lsp.start`). With $PLAN_LINT_README_LUA
-- it starts the server with the README's set-up, verbatim, instead of its own.
local out = { steps = {} }
local function step(name) table.insert(out.steps, name) end

local ok, err = pcall(function()
  local root = vim.env.PLAN_LINT_ROOT
  local bin = vim.env.PLAN_LINT_BIN
  local readme = vim.env.PLAN_LINT_README_LUA
  local client_id
  local buf
  if readme then
    -- The README's set-up, verbatim: opening the plan starts `plan-lint lsp` from PATH.
    dofile(readme)
    vim.cmd('edit ' .. vim.fn.fnameescape(root .. '/ROADMAP.md'))
    buf = vim.api.nvim_get_current_buf()
    local function attached()
      if vim.lsp.get_clients then return vim.lsp.get_clients({ bufnr = buf }) end
      return vim.tbl_values(vim.lsp.buf_get_clients(buf))
    end
    out.attached = vim.wait(10000, function() return #attached() > 0 end, 20)
    if not out.attached then error('the README set-up attached no client to ' .. vim.bo[buf].filetype) end
    local client = attached()[1]
    out.root_dir = client.config.root_dir
    client_id = client.id
  else
    vim.cmd('edit ' .. vim.fn.fnameescape(root .. '/ROADMAP.md'))
    buf = vim.api.nvim_get_current_buf()
    local config = { name = 'plan-lint', cmd = { bin, 'lsp' }, root_dir = root }
    if vim.lsp.start then
      client_id = vim.lsp.start(config)
    else
      client_id = vim.lsp.start_client(config)
      vim.lsp.buf_attach_client(buf, client_id)
    end
  end
  step('started')

  local function diagnostics()
    local list = {}
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      local code = d.code
      if code == nil and d.user_data and d.user_data.lsp then code = d.user_data.lsp.code end
      table.insert(list, { lnum = d.lnum, col = d.col, code = code, severity = d.severity, message = d.message })
    end
    table.sort(list, function(a, b) return a.lnum < b.lnum end)
    return list
  end

  out.shown = vim.wait(15000, function() return #vim.diagnostic.get(buf) >= 2 end, 20)
  out.first = diagnostics()
  step('diagnostics')

  -- Fix both items as a user would: edit the lines.
  vim.api.nvim_buf_set_lines(buf, 4, 6, false, {
    '- [ ] Ship ranking (Promise: search)',
    '- [ ] Untraced work (Promise: search)',
  })
  out.cleared = vim.wait(15000, function() return #vim.diagnostic.get(buf) == 0 end, 20)
  step('fixed')

  -- Completion after `(Promise: ` on a new item.
  local last = vim.api.nvim_buf_line_count(buf)
  vim.api.nvim_buf_set_lines(buf, last, last, false, { '- [ ] Facets (Promise: ' })
  local params = {
    textDocument = vim.lsp.util.make_text_document_params(buf),
    position = { line = last, character = 23 },
  }
  local answers = vim.lsp.buf_request_sync(buf, 'textDocument/completion', params, 10000) or {}
  local items = {}
  for _, answer in pairs(answers) do
    local result = answer.result or {}
    for _, item in ipairs(result.items or result) do table.insert(items, item) end
  end
  table.sort(items, function(a, b) return (a.sortText or a.label) < (b.sortText or b.label) end)
  out.completion = {}
  for _, item in ipairs(items) do table.insert(out.completion, { label = item.label, detail = item.detail }) end
  step('completion')

  -- Hover on the id of line 7 (`- [x] Index products (Promise: search)`).
  local hover = vim.lsp.buf_request_sync(buf, 'textDocument/hover', {
    textDocument = vim.lsp.util.make_text_document_params(buf),
    position = { line = 6, character = 32 },
  }, 10000) or {}
  for _, answer in pairs(hover) do
    if answer.result then out.hover = answer.result.contents.value end
  end
  step('hover')

  vim.lsp.stop_client(client_id)
  out.stopped = vim.wait(10000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 20)
  step('stopped')
end)

out.ok = ok
if not ok then out.error = tostring(err) end
vim.fn.writefile({ vim.fn.json_encode(out) }, vim.env.PLAN_LINT_OUT)
vim.cmd('qall!')
