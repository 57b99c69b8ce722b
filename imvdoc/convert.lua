-- imvdoc's pandoc driver: convert many Word documents in one long-lived pandoc process.
--
--   pandoc lua convert.lua      (jobs on stdin, one JSON object a line)
--
-- A job: { input, output, media, media_prefix, title, fallback_title, from_first_heading,
--          body_key, toc, chapters_from_level_1, show_changes, explain_changes }
-- For each job the body is written as typst (images written under `media`, referred to
-- as media_prefix .. name) and as HTML (self-contained: images as data URIs), with the
-- table of contents, the title and warnings, as one JSON object into `output`; one JSON
-- line answers on stdout: {"ok": true} or {"ok": false, "error": "..."}. The page around
-- the body is the layouts' work (imvdoc/layouts.py).
-- Messages are Dutch: they reach the user.

local json = pandoc.json
local SUPPORTED = {
  ["image/png"] = true, ["image/jpeg"] = true, ["image/gif"] = true,
  ["image/svg+xml"] = true, ["image/webp"] = true,
}

local function read_file(path)
  local handle = assert(io.open(path, "rb"))
  local data = handle:read("a")
  handle:close()
  return data
end

local function write_file(path, data)
  local handle = assert(io.open(path, "wb"))
  handle:write(data)
  handle:close()
end

local B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local function base64(data)
  local out = {}
  for i = 1, #data, 3 do
    local a, b, c = data:byte(i, i + 2)
    local n = (a << 16) | ((b or 0) << 8) | (c or 0)
    local chars = {}
    for k = 3, 0, -1 do
      local index = (n >> (6 * k)) & 63
      chars[#chars + 1] = B64:sub(index + 1, index + 1)
    end
    if not b then chars[3], chars[4] = "=", "=" elseif not c then chars[4] = "=" end
    out[#out + 1] = table.concat(chars)
  end
  return table.concat(out)
end

-- A list's paragraphs as plain text (a tight list), also inside a styled Div. A list
-- that has none is left as it is: an element whose parts are looked at in Lua costs
-- a full conversion back to pandoc, so nothing here looks at more than it must.
local function tight(list)
  local loose = false
  list:walk { Para = function() loose = true end }
  if loose then
    return list:walk { Para = function(para) return pandoc.Plain(para.content) end }
  end
end

-- Clean up what Word documents bring: tight lists, headings that start at level 2 and
-- skip no level, no empty headings, no links to bookmarks that do not exist, images that
-- a browser and typst can show (with alternative text).
local function normalise(doc, warnings)
  local ids, internal_links = nil, false
  doc:walk { Link = function(link)
    if link.target:sub(1, 1) == "#" then internal_links = true end
  end }
  if internal_links then  -- where a link to a place in the document may go
    ids = {}
    doc:walk {
      Header = function(h) ids[h.identifier] = true end,
      Span = function(s) if s.identifier ~= "" then ids[s.identifier] = true end end,
      Div = function(d) if d.identifier ~= "" then ids[d.identifier] = true end end,
    }
  end
  local min_level = 99
  for _, block in ipairs(doc.blocks) do  -- a Word document's headings are top-level
    if block.t == "Header" and block.level < min_level
        and pandoc.utils.stringify(block):match("%S") then
      min_level = block.level
    end
  end
  local shift = (min_level == 99) and 0 or (2 - min_level)
  local previous = 1
  local unsupported, missing, no_alt = 0, 0, 0
  doc = doc:walk {
    Header = function(h)
      if not pandoc.utils.stringify(h):match("%S") then
        warnings[#warnings + 1] = "een lege kop is weggelaten"
        return {}
      end
      h.attributes["word-style"] = "heading " .. h.level  -- its Word style, before it moves
      h.level = math.min(h.level + shift, previous + 1, 6)
      previous = h.level
      return h
    end,
    Link = function(link)
      local target = link.target
      if target:sub(1, 1) == "#" and ids and not ids[target:sub(2)] then
        warnings[#warnings + 1] = "kruisverwijzing naar '" .. target:sub(2) ..
          "' bestaat niet; alleen de tekst is overgenomen"
        return link.content
      end
    end,
    Image = function(image)
      local mime, contents = pandoc.mediabag.lookup(image.src)
      local alt = pandoc.utils.stringify(image.caption)
      if not contents then
        missing = missing + 1
        return pandoc.Emph(pandoc.Inlines("[Afbeelding niet opgenomen: gekoppeld bestand "
          .. image.src .. "]"))
      end
      if not SUPPORTED[mime] then
        unsupported = unsupported + 1
        return pandoc.Emph(pandoc.Inlines("[Afbeelding in een formaat dat niet getoond kan worden ("
          .. (mime or "onbekend") .. ")" .. (alt ~= "" and (": " .. alt) or "") .. "]"))
      end
      if alt == "" then
        no_alt = no_alt + 1
        image.caption = pandoc.Inlines("Afbeelding zonder beschrijving")
      end
      return image
    end,
    BulletList = tight,
    OrderedList = tight,
  }
  if missing > 0 then warnings[#warnings + 1] = missing .. " gekoppelde afbeelding(en) niet opgenomen (niet ingesloten in het document)" end
  if unsupported > 0 then warnings[#warnings + 1] = unsupported .. " afbeelding(en) in een niet-ondersteund formaat (zoals EMF) vervangen door een tekst" end
  if no_alt > 0 then warnings[#warnings + 1] = no_alt .. " afbeelding(en) zonder beschrijving (alternatieve tekst); vul die in Word in" end
  return doc
end

-- The text of a heading as it reads once its tracked changes are accepted: without
-- deleted text and notes (comments, with `show_changes`).
local function accepted_text(inlines)
  return pandoc.utils.stringify(pandoc.Inlines(inlines):walk {
    Span = function(span) if span.classes:includes("deletion") then return {} end end,
    Note = function() return {} end,
  })
end

local function first_heading(doc)
  for _, block in ipairs(doc.blocks) do
    if block.t == "Header" then return accepted_text(block.content) end
  end
end

-- Whether the body may hold an image: every image that normalise keeps is in the media
-- bag (the others became text), so with an empty bag a walk for images is left out.
local function has_images()
  return #pandoc.mediabag.list() > 0
end

local function embed_images(doc)
  if not has_images() then return doc end
  return doc:walk { Image = function(image)
    local mime, contents = pandoc.mediabag.lookup(image.src)
    if contents then image.src = "data:" .. mime .. ";base64," .. base64(contents) end
    return image
  end }
end

-- pandoc's typst writer drops an image's description, and PDF/UA requires one: the
-- image call is written here, with the description as a typst string.
local function typst_string(text)
  return '"' .. text:gsub('\\', '\\\\'):gsub('"', '\\"'):gsub("\n", " ") .. '"'
end

local TYPST_UNITS = { ["in"] = true, cm = true, mm = true, pt = true, ["%"] = true }

-- typst turns some plain-text sequences into other characters (... into an ellipsis, a
-- hyphen before a digit into a minus, -? into a soft hyphen) and pandoc does not escape
-- them: escape them here, so a PDF shows the text as written.
local function typst_literal(str)
  local text = str.text
  if not (text:find("...", 1, true) or text:find("%-[%d?]")) then return nil end
  local inlines, buffer, i = {}, "", 1
  local function raw(code)
    if buffer ~= "" then inlines[#inlines + 1] = pandoc.Str(buffer); buffer = "" end
    inlines[#inlines + 1] = pandoc.RawInline("typst", code)
  end
  while i <= #text do
    if text:sub(i, i + 2) == "..." then
      raw("\\.\\.\\."); i = i + 3
    elseif text:sub(i, i) == "-" and text:sub(i + 1, i + 1):match("[%d?]") then
      raw("\\-"); i = i + 1
    else
      buffer = buffer .. text:sub(i, i); i = i + 1
    end
  end
  if buffer ~= "" then inlines[#inlines + 1] = pandoc.Str(buffer) end
  return inlines
end

-- Word styles. pandoc keeps the name of every paragraph's style (docx+styles: a Div
-- with a custom-style around the paragraphs of one style; a paragraph in the default
-- style has none) and empty paragraphs (the signature space). Headings get their Word
-- style ('heading 2', whatever level they are shown at) in normalise. The writers' last
-- walk turns each paragraph into the layout's `word-style` call (typst) or a class of the
-- CSS made from the template (HTML); a paragraph that holds only the page break marker
-- (see reading_copy) into a page break; the paragraphs of a Word table of contents into
-- the one place where the layout puts its own contents.
local PAGE_BREAK = utf8.char(0xFDD0)
local DEFAULT_STYLE = "Normal"

-- The class the CSS made from the Word template gives a style: 'Body Text' -> w-body-text.
local function style_class(name)
  return "w-" .. (name:lower():gsub("[^%w]+", "-"):gsub("^%-+", ""):gsub("%-+$", ""))
end

local function is_contents(name)
  return name:lower():match("^toc %d$") ~= nil
end

-- What a writer returns as a list of blocks: one block, or a list of them.
local function as_blocks(result)
  if result.t then return { result } end
  return result
end

-- What a paragraph is: 'page-break' (only the page break marker), 'empty' (nothing in
-- it) or 'text'. Its text is asked of pandoc (stringify), so that a paragraph's inlines
-- are only pulled into Lua when it may be one of the first two.
local function kind_of(block)
  local text = pandoc.utils.stringify(block)
  if text ~= "" and text ~= PAGE_BREAK then return "text" end
  local content = block.content
  if #content == 1 and content[1].t == "Str" and content[1].text == PAGE_BREAK then
    return "page-break"
  end
  return #content == 0 and "empty" or "text"
end

-- Walks the body top-down and hands each paragraph to `write(style, block, kind, top)`,
-- which returns the block or blocks that stand in its place (`top`: the paragraph is not
-- inside another block); the contents' paragraphs become `contents()` once.
local function by_style(doc, write, contents)
  local seen_contents = false
  local function paragraphs(name, blocks, top)
    local out = pandoc.Blocks({})
    for _, block in ipairs(blocks) do
      if block.t == "Para" or block.t == "Plain" then
        if is_contents(name) then
          if not seen_contents then out:insert(contents()); seen_contents = true end
        else
          out:extend(as_blocks(write(name, block, kind_of(block), top)))
        end
      else
        out:insert(block)
      end
    end
    return out
  end
  local filter = {
    traverse = "topdown",
    Div = function(div)
      local name = div.attributes["custom-style"]
      if name then return paragraphs(name, div.content), false end
    end,
    Para = function(para) return paragraphs(DEFAULT_STYLE, { para }), false end,
    Plain = function(plain) return paragraphs(DEFAULT_STYLE, { plain }), false end,
    Header = function(header)
      local name = header.attributes["word-style"] or ("heading " .. header.level)
      return write(name, header, "heading"), false
    end,
  }
  local out = pandoc.Blocks({})
  for _, block in ipairs(doc.blocks) do  -- the top level here, what lies deeper by the walk
    local style = block.t == "Div" and block.attributes["custom-style"]
    if style then
      out:extend(paragraphs(style, block.content, true))
    elseif block.t == "Para" or block.t == "Plain" then
      out:extend(paragraphs(DEFAULT_STYLE, { block }, true))
    else
      out:extend(pandoc.Pandoc({ block }):walk(filter).blocks)
    end
  end
  return pandoc.Pandoc(out, doc.meta)
end

-- A paragraph in its style is `#word-style("Name")[text]`. Made in Lua, that takes its
-- inlines out of pandoc and back in, which costs more than reading the document; so a
-- paragraph at the top level stays as it is, between two raw blocks with these marks,
-- and the marks and the line breaks beside them are taken out of what the writer wrote
-- (it writes without wrapping lines): the same text as the paragraph made in Lua.
local OPEN_MARK = utf8.char(0xFDD1) .. "imvdoc" .. utf8.char(0xFDD1)
local CLOSE_MARK = utf8.char(0xFDD2) .. "imvdoc" .. utf8.char(0xFDD2)

-- A paragraph of the typst body in its Word style (see by_style).
local function typst_paragraph(name, block, kind, top)
  if kind == "page-break" then return pandoc.RawBlock("typst", "#pagebreak()") end
  if kind == "empty" then return pandoc.RawBlock("typst", "#word-empty(" .. typst_string(name) .. ")") end
  if kind == "heading" then
    block.attributes["word-style"] = nil
    return { pandoc.RawBlock("typst", "#word-style(" .. typst_string(name) .. ")["), block,
             pandoc.RawBlock("typst", "]") }
  end
  local open = "#word-style(" .. typst_string(name) .. ")["
  if top then  -- the paragraph as it is, between marks that joined_marks removes
    return { pandoc.RawBlock("typst", open .. OPEN_MARK), block,
             pandoc.RawBlock("typst", CLOSE_MARK .. "]") }
  end
  local inlines = pandoc.Inlines({ pandoc.RawInline("typst", open) })
  local first = block.content[1]
  if first and first.t == "Str" and first.text:match("^[-+=/%d]") then
    open = open .. "\\"  -- as pandoc escapes it at the start of a line: literal text,
    inlines[1] = pandoc.RawInline("typst", open)  -- never a list, heading or number
  end
  inlines:extend(block.content)
  inlines:insert(pandoc.RawInline("typst", "]"))
  return pandoc.Plain(inlines)
end

local function typst_contents() return pandoc.RawBlock("typst", "#word-contents()") end

-- The typst body: values escaped as text (typst_literal), images with their description
-- (pandoc's typst writer drops it, PDF/UA requires it), and every paragraph in its style.
local function typst_ready(doc, media_prefix)
  -- A new document (the HTML is made from the one given); a block's Strs are only
  -- looked at where its text holds what typst_literal escapes (see kind_of).
  doc = pandoc.Pandoc(doc.blocks:map(function(block)
    local text = pandoc.utils.stringify(block)
    if text:find("...", 1, true) or text:find("%-[%d?]") then
      return block:walk { Str = typst_literal }
    end
    return block
  end), doc.meta)
  if has_images() then
    doc = doc:walk {
      Image = function(image)
        local args = { typst_string(media_prefix .. image.src), "alt: " .. typst_string(pandoc.utils.stringify(image.caption)) }
        for _, key in ipairs { "width", "height" } do
          local size = image.attributes[key]
          local number, unit = (size or ""):match("^(%d*%.?%d+)(%a*%%?)$")
          if number and TYPST_UNITS[unit] then args[#args + 1] = key .. ": " .. number .. unit end
        end
        return pandoc.RawInline("typst", "#box(image(" .. table.concat(args, ", ") .. "))")
      end,
    }
  end
  return by_style(doc, typst_paragraph, typst_contents)
end

local function joined_marks(typst)
  return (typst:gsub(OPEN_MARK .. "\n", ""):gsub("\n\n?" .. CLOSE_MARK, ""))
end

-- The HTML body: every paragraph in a div with its style's class (Word's Title is the
-- page's h1), headings with their style's class; the contents as a nav.
local function html_styles(doc, contents)
  doc = doc:walk { Table = function(tbl)
    if tbl.attributes["custom-style"] then
      tbl.attributes["custom-style"] = nil  -- the table style is the CSS of every table
      return tbl
    end
  end }
  return by_style(doc, function(name, block, kind)
    if kind == "page-break" then return {} end
    if kind == "empty" then
      return pandoc.RawBlock("html", '<div class="' .. style_class(name) .. ' leeg" aria-hidden="true"></div>')
    end
    if kind == "heading" then
      block.attributes["word-style"] = nil
      block.classes:insert(style_class(name))
      return block
    end
    if name:lower() == "title" then
      return pandoc.Header(1, block.content, pandoc.Attr("", { style_class(name) }))
    end
    return pandoc.Div({ block }, pandoc.Attr("", { style_class(name) }))
  end, function()
    return pandoc.RawBlock("html", '<nav class="inhoud" aria-label="Inhoud">' .. contents .. "</nav>")
  end)
end

local function write_media(dir)
  for _, item in ipairs(pandoc.mediabag.list()) do
    local _, contents = pandoc.mediabag.lookup(item.path)
    local target = pandoc.path.join { dir, item.path }
    pandoc.system.make_directory(pandoc.path.directory(target), true)
    write_file(target, contents)
  end
end

-- A caption without text (an empty "Caption" paragraph in Word, perhaps with only a
-- bookmark) would be an empty <caption> in HTML and a bare "Tabel 1:" in the PDF: a
-- table keeps no caption, a figure becomes its image.
local function without_empty_captions(doc, warnings)
  local function empty(caption)
    local has_image = false
    pandoc.Blocks(caption.long):walk { Image = function() has_image = true end }
    return not has_image and not pandoc.utils.stringify(caption.long):match("%S")
  end
  local dropped = 0
  doc = doc:walk {
    Table = function(tbl)
      if #tbl.caption.long > 0 and empty(tbl.caption) then
        dropped = dropped + 1
        tbl.caption = { long = pandoc.Blocks {} }
        return tbl
      end
    end,
    Figure = function(figure)
      if empty(figure.caption) then
        dropped = dropped + 1
        return figure.content:map(function(block)
          return block.t == "Plain" and pandoc.Para(block.content) or block
        end)
      end
    end,
  }
  if dropped > 0 then
    warnings[#warnings + 1] = (dropped == 1 and "een leeg bijschrift" or (dropped .. " lege bijschriften"))
      .. " (bij een tabel of afbeelding) weggelaten"
  end
  return doc
end

-- Tracked changes and comments shown (`show_changes`). pandoc reads them as spans:
-- insertion and deletion (with author and date, as Word recorded them; a moved text is
-- a deletion and an insertion), paragraph-insertion and paragraph-deletion (a paragraph
-- mark), and comment-start (with the comment's text) and comment-end.
local MONTHS = { "januari", "februari", "maart", "april", "mei", "juni", "juli",
  "augustus", "september", "oktober", "november", "december" }

-- "ingevoegd door Jan Jansen, 1 maart 2024", as far as Word recorded who and when.
local function change_label(span, what, by)
  local label = what
  local author = span.attributes.author
  if author and author:match("%S") then label = label .. " " .. (by or "door") .. " " .. author end
  local year, month, day = (span.attributes.date or ""):match("^(%d%d%d%d)-(%d%d)-(%d%d)")
  if year then
    label = label .. ", " .. tonumber(day) .. " " .. MONTHS[tonumber(month)] .. " " .. year
  end
  return label
end

-- Comments become notes (footnotes in the PDF, notes at the end of the HTML page) where
-- the commented text ends; their marks go. A deleted paragraph mark is shown as a
-- deleted pilcrow; an inserted one needs no mark (its text is marked). Also returns
-- how many comments there are.
local function comments_as_notes(doc)
  local notes, ends = {}, {}
  doc:walk { Span = function(span)
    local id = span.attributes.id or ""
    if span.classes:includes("comment-start") then
      local text = pandoc.Inlines { pandoc.Str(change_label(span, "Opmerking", "van") .. ":"), pandoc.Space() }
      text:extend(span.content)
      notes[id] = pandoc.Note { pandoc.Para(text) }
    elseif span.classes:includes("comment-end") then
      ends[id] = true
    end
  end }
  local count = 0
  for _ in pairs(notes) do count = count + 1 end
  return doc:walk { Span = function(span)
    local id = span.attributes.id or ""
    if span.classes:includes("comment-start") then
      return ends[id] and {} or notes[id]  -- no end recorded: the note where it starts
    elseif span.classes:includes("comment-end") then
      local note = notes[id]
      notes[id] = nil  -- once
      return note or {}
    elseif span.classes:includes("paragraph-insertion") then
      return {}
    elseif span.classes:includes("paragraph-deletion") then
      return pandoc.Span(pandoc.Inlines { pandoc.Str("¶") },
        pandoc.Attr("", { "deletion" }, span.attributes))
    end
  end }, count
end

-- A paragraph whose text is all deleted needs no deleted paragraph mark (¶) after it;
-- a heading whose text is all deleted is no heading of the text any more: it stays in
-- its heading's style, struck through, but is not numbered, outlined or listed.
local function all_deleted(inlines)
  local deleted = false
  for _, inline in ipairs(inlines) do
    if inline.t == "Span" and inline.classes:includes("deletion") then
      deleted = true
    elseif not (inline.t == "Space" or inline.t == "SoftBreak" or (inline.t == "Span"
        and inline.classes:includes("paragraph-deletion"))) then
      return false
    end
  end
  return deleted
end

local function whole_deletions(doc)
  local function paragraph(block)
    if all_deleted(block.content) then
      block.content = block.content:filter(function(inline)
        return not (inline.t == "Span" and inline.classes:includes("paragraph-deletion"))
      end)
      return block
    end
  end
  return doc:walk {
    Para = paragraph,
    Plain = paragraph,
    Header = function(header)
      if all_deleted(header.content) then
        return pandoc.Div({ pandoc.Para(header.content) },
          pandoc.Attr("", {}, { ["custom-style"] = "heading " .. header.level }))
      end
    end,
  }
end

-- A report's chapters and sections are named by their numbers, as its PDF numbers them
-- (chapter 4 is #sectie-4, its section 2 #sectie-4-2; headings start at level 2 here),
-- so that a link from another document stays right when a title changes. Links inside
-- the document follow.
local function numbered_ids(doc)
  local chapter, section, renamed = 0, 0, {}
  doc = doc:walk { Header = function(header)
    if header.level == 2 then
      chapter, section = chapter + 1, 0
    elseif header.level == 3 then
      section = section + 1
    else
      return nil
    end
    local id = "sectie-" .. chapter .. (header.level == 3 and ("-" .. section) or "")
    if header.identifier ~= "" then renamed[header.identifier] = id end
    header.identifier = id
    return header
  end }
  return doc:walk { Link = function(link)
    local target = link.target:sub(1, 1) == "#" and renamed[link.target:sub(2)]
    if target then
      link.target = "#" .. target
      return link
    end
  end }
end

-- Above the text: that it is a draft, and how its changes and comments are shown; and
-- the title as Word has it, with its changes and comments, when the title heading was
-- taken out of the text (the layouts show the title as if its changes were accepted).
local function with_changes_explained(doc, comments, title)
  local function changed(node)
    local found = false
    node:walk { Span = function(span)
      if span.classes:includes("insertion") or span.classes:includes("deletion") then found = true end
    end }
    return found
  end
  local title_notes = 0
  if title then title:walk { Note = function() title_notes = title_notes + 1 end } end
  local title_changed = title ~= nil and changed(title)
  local changes = title_changed or changed(doc)
  local text
  if changes and comments > 0 then
    text = "Dit is een concept met wijzigingen en opmerkingen die nog niet verwerkt zijn. " ..
      "Ingevoegde tekst is onderstreept, verwijderde tekst is doorgehaald; de opmerkingen " ..
      "staan als noten onderaan."
  elseif changes then
    text = "Dit is een concept met wijzigingen die nog niet verwerkt zijn. Ingevoegde tekst " ..
      "is onderstreept, verwijderde tekst is doorgehaald."
  elseif comments > 0 then
    text = "Dit is een concept met opmerkingen die nog niet verwerkt zijn; ze staan als " ..
      "noten onderaan."
  else
    return doc
  end
  local blocks = pandoc.Blocks { pandoc.Para(pandoc.Inlines(text)) }
  if title_changed or title_notes > 0 then
    blocks:insert(pandoc.Para(pandoc.Inlines("De titel in Word: ") .. title.content))
  end
  doc.blocks:insert(1, pandoc.Div(blocks, { class = "wijzigingen-uitleg" }))
  return doc
end

local function escape_html(text)
  return (text:gsub("&", "&amp;"):gsub("<", "&lt;"):gsub(">", "&gt;"):gsub('"', "&quot;"))
end

-- HTML: <ins> and <del>, with who and when as a title for the mouse and as hidden text
-- for a screen reader (the look is in huisstijl.css).
local function changes_for_html(doc)
  return doc:walk { Span = function(span)
    local tag = span.classes:includes("insertion") and "ins"
      or span.classes:includes("deletion") and "del"
    if not tag then return nil end
    local what = tag == "ins" and "ingevoegd" or "verwijderd"
    local label = change_label(span, what)
    local function hidden(text)
      return pandoc.Span(pandoc.Inlines(text), { class = "visueel-verborgen" })
    end
    local marked = pandoc.Inlines {
      pandoc.RawInline("html", "<" .. tag .. ' title="' .. escape_html(label) .. '">'),
      hidden("[" .. label .. ": "),
    }
    marked:extend(span.content)
    marked:extend { hidden(" (einde " .. what .. ")]"), pandoc.RawInline("html", "</" .. tag .. ">") }
    return marked
  end }
end

-- PDF: underlined and struck through, in the colours that the layout defines
-- (wijziging-ingevoegd, wijziging-verwijderd: templates/document.typ).
local function changes_for_typst(doc)
  return doc:walk { Span = function(span)
    if span.classes:includes("insertion") then
      return pandoc.Span(pandoc.Underline(span.content),
        { ["typst:text:fill"] = "wijziging-ingevoegd" })
    elseif span.classes:includes("deletion") then
      return pandoc.Span(pandoc.Strikeout(span.content),
        { ["typst:text:fill"] = "wijziging-verwijderd" })
    end
  end }
end

-- No title in the document's properties: its opening heading is the title (and is not
-- repeated below it), else its first heading, else the file name. Done before the
-- headings are renumbered, so the rest start right below the title.
local function take_title(doc, fallback)
  if doc.meta.title and pandoc.utils.stringify(doc.meta.title) ~= "" then return doc end
  local first = doc.blocks[1]
  if first and first.t == "Header" and accepted_text(first.content):match("%S") then
    doc.meta.title = pandoc.MetaInlines(pandoc.Inlines(accepted_text(first.content)))
    doc.blocks:remove(1)
  else
    doc.meta.title = pandoc.MetaInlines(pandoc.Inlines(first_heading(doc) or fallback))
  end
  return doc
end

-- Drop what comes before the first heading (a title page and a table of contents in
-- Word: the HTML and PDF templates make their own).
local function from_first_heading(doc)
  while doc.blocks[1] and doc.blocks[1].t ~= "Header" do doc.blocks:remove(1) end
  return doc
end

-- Read a document and write its body as typst and as HTML, and its table of contents.
-- This depends only on the .docx and the job's options; documents with the same body key
-- share it (pandoc does not read the Word headers, where letters of one mailing differ),
-- so it is made once per body key.
local BODY_ONLY = pandoc.template.compile("$body$")
local TOC_ONLY = pandoc.template.compile("$toc$")

-- The body's blocks as the typst and HTML of the page (the layouts place them).
local function write_typst(blocks)
  return joined_marks(pandoc.write(pandoc.Pandoc(blocks), "typst",
    { template = BODY_ONLY, wrap_text = "none" }))
end

local function write_html(blocks)
  return pandoc.write(pandoc.Pandoc(blocks), "html5", { template = BODY_ONLY,
    section_divs = false })
end

local function convert(job)
  pandoc.mediabag.empty()
  local warnings = {}
  local doc = pandoc.read(read_file(job.input), "docx+styles+empty_paragraphs",
    { track_changes = job.show_changes and "all-changes" or "accept-changes" })
  local comments = 0
  if job.show_changes then doc, comments = comments_as_notes(whole_deletions(doc)) end
  if job.from_first_heading then doc = from_first_heading(doc) end
  local title, title_heading
  if not job.title or job.title == json.null then  -- no title given: the document's own
    local first, count = doc.blocks[1], #doc.blocks
    doc = take_title(doc, job.fallback_title)
    title = pandoc.utils.stringify(doc.meta.title)
    if #doc.blocks < count then title_heading = first end
  end
  doc = without_empty_captions(doc, warnings)
  doc = normalise(doc, warnings)
  if job.chapters_from_level_1 then doc = numbered_ids(doc) end
  if job.show_changes and job.explain_changes then
    doc = with_changes_explained(doc, comments, title_heading)
  end
  doc.meta = pandoc.Meta({})  -- the writers below see the body only
  local typst_doc = typst_ready(doc, job.media_prefix)
  if job.chapters_from_level_1 then  -- a report numbers its chapters from level 1
    typst_doc = typst_doc:walk { Header = function(h) h.level = math.max(h.level - 1, 1); return h end }
  end
  local html_doc = embed_images(doc)
  if job.show_changes then
    typst_doc = changes_for_typst(typst_doc)
    html_doc = changes_for_html(html_doc)
  end
  local toc = job.toc and pandoc.write(html_doc, "html5", { template = TOC_ONLY,
    table_of_contents = true, toc_depth = 3 }) or ""
  write_media(job.media)
  return {
    typst = write_typst(typst_doc.blocks),
    html = write_html(html_styles(html_doc, toc).blocks),
    toc = toc,
    warnings = warnings,
    title = title,
  }
end

-- Letters that share a shape (imvdoc/shapes.py): the Word file of the shape holds a
-- token (U+FDDA n U+FDDB) where a letter has a value of its own. pandoc reads the shape
-- once and lays out each block; for a letter, only the blocks that hold a token are
-- filled in with the letter's values and laid out again, and the whole is written. What
-- could differ from reading the letter's own file is checked, and where it could, the
-- driver answers "unshared" and the converter sends the letter's own file.
local TOKEN_OPEN, TOKEN_CLOSE = utf8.char(0xFDDA), utf8.char(0xFDDB)
local TOKEN = TOKEN_OPEN .. "(%d+)" .. TOKEN_CLOSE

local function is_letter(code)  -- a letter in ASCII, Latin-1 or Latin Extended-A
  return (code < 128 and string.char(code):match("%a") ~= nil)
    or (code >= 0xC0 and code <= 0x17F and code ~= 0xD7 and code ~= 0xF7)
end

-- The identifier pandoc's reader gives a heading (auto_identifiers): the text in lower
-- case with only its letters, digits, spaces, '_', '-' and '.', its words joined by '-',
-- from the first letter on. nil for a character this cannot class.
local function identifier(text)
  local kept = {}
  for _, code in utf8.codes(pandoc.text.lower(text)) do
    if is_letter(code) or (code < 128 and string.char(code):match("[%d_%-%.]")) then
      kept[#kept + 1] = utf8.char(code)
    elseif code < 128 and string.char(code):match("%s") then
      kept[#kept + 1] = " "
    elseif code >= 128 and code ~= 0xFDDA and code ~= 0xFDDB then
      return nil  -- other ASCII punctuation and the token marks are left out
    end
  end
  local words = {}
  for word in table.concat(kept):gmatch("%S+") do words[#words + 1] = word end
  local ident = table.concat(words, "-")
  for position, code in utf8.codes(ident) do
    if is_letter(code) then return ident:sub(position) end
  end
  return ""
end

-- The identifier made unique as the reader does: 'section' for none, then -1, -2, ...
local function unique(ident, used)
  local base = ident == "" and "section" or ident
  local id, n = base, 0
  while used[id] do n = n + 1; id = base .. "-" .. n end
  used[id] = true
  return id
end

local function native(blocks)
  return pandoc.write(pandoc.Pandoc(blocks), "native")
end

-- What stands in `whole` before, between and after `texts` (the texts of the blocks that
-- hold a token, written each on its own), where each text stands in `whole` as it is, at
-- the place of its first token, and nothing between them holds a token; nil otherwise.
local function segments(whole, texts)
  local out, at = {}, 1
  for k, text in ipairs(texts) do
    local offset = text:find(TOKEN_OPEN, 1, true)
    local token = whole:find(TOKEN_OPEN, at, true)
    if not offset or not token then return nil end
    local start = token - offset + 1
    if start < at or whole:sub(start, start + #text - 1) ~= text then return nil end
    out[k] = whole:sub(at, start - 1)
    at = start + #text
  end
  out[#texts + 1] = whole:sub(at)
  for _, segment in ipairs(out) do
    if segment:find(TOKEN_OPEN, 1, true) or segment:find(TOKEN_CLOSE, 1, true) then
      return nil
    end
  end
  return out
end

-- The segments with the texts between them.
local function spliced(segments, texts)
  local out = { segments[1] }
  for k, text in ipairs(texts) do
    out[#out + 1] = text
    out[#out + 1] = segments[k + 1]
  end
  return table.concat(out)
end

-- A block with the letter's values in place of its tokens, each value as pandoc's reader
-- reads text: its words, with a space between them; nil for a token without a value.
local function filled(element, values)
  local missing = false
  element = element:walk { Str = function(str)
    if not str.text:find(TOKEN_OPEN, 1, true) then return nil end
    local text = str.text:gsub(TOKEN, function(index)
      if not values[index] then missing = true end
      return values[index] or ""
    end)
    local inlines = pandoc.Inlines({})
    for word in text:gmatch("[^ ]+") do
      if #inlines > 0 then inlines:insert(pandoc.Space()) end
      inlines:insert(pandoc.Str(word))
    end
    return inlines
  end }
  if missing then return nil end
  return element
end

-- The identifiers of the headings (by block index) as the reader makes them from their
-- texts (by block index); nil where one cannot be made here.
local function heading_ids(texts, count)
  local used, ids = {}, {}
  for i = 1, count do
    if texts[i] then
      local ident = identifier(texts[i])
      if not ident then return nil end
      ids[i] = unique(ident, used)
    end
  end
  return ids
end

-- The blocks that hold a token are laid out and written together, one after the other
-- with a mark between them (a raw block for each writer), and the text split at the
-- marks: a few writer runs for a letter instead of one for each such block.
local SPLIT_MARK = utf8.char(0xFDD3) .. "imvdoc" .. utf8.char(0xFDD3)
local function marked(blocks)
  local out = pandoc.Blocks({})
  for k, block in ipairs(blocks) do
    if k > 1 then
      out:insert(pandoc.RawBlock("typst", SPLIT_MARK))
      out:insert(pandoc.RawBlock("html", SPLIT_MARK))
    end
    out:insert(block)
  end
  return pandoc.Pandoc(out)
end

local function split(text)
  local texts = {}
  for piece in (text .. SPLIT_MARK):gmatch("(.-)" .. SPLIT_MARK) do
    texts[#texts + 1] = piece:gsub("^\n+", ""):gsub("\n+$", "")
  end
  return texts
end

local function marked_texts(doc, media_prefix)
  return split(write_typst(typst_ready(doc, media_prefix).blocks)),
    split(write_html(html_styles(doc, "").blocks))
end

-- What a shape gives every letter: its blocks after normalise, which hold a token, and
-- the shape's typst and HTML cut where those blocks stand; nil where a letter could come
-- out otherwise than from its own file (images, links within the document, headings whose
-- identifiers are not made here as the reader made them, a layout that is not made block
-- by block, a block with a token whose text is not its own in the whole).
local function shape_state(job)
  pandoc.mediabag.empty()
  local read = pandoc.read(read_file(job.input), "docx+styles+empty_paragraphs",
    { track_changes = "accept-changes" })
  if has_images() then return nil end
  local texts, headings, internal = {}, 0, false
  for i, block in ipairs(read.blocks) do
    if block.t == "Header" then texts[i] = pandoc.utils.stringify(block) end
  end
  local ids = heading_ids(texts, #read.blocks)
  if not ids then return nil end
  for i, block in ipairs(read.blocks) do
    if block.t == "Header" then
      headings = headings + 1
      if ids[i] ~= block.identifier then return nil end
    end
  end
  read:walk {
    Header = function() headings = headings - 1 end,
    Link = function(link) if link.target:sub(1, 1) == "#" then internal = true end end,
  }
  if headings ~= 0 or internal then return nil end
  local warnings = {}
  local doc = normalise(without_empty_captions(read, warnings), warnings)
  if #doc.blocks ~= #read.blocks then return nil end  -- a block left out (an empty heading)
  doc.meta = pandoc.Meta({})
  local state = { blocks = doc.blocks, warnings = warnings, varying = {}, texts = texts }
  local typst_all, html_all, varying = pandoc.Blocks({}), pandoc.Blocks({}), {}
  local typst_texts, html_texts = {}, {}  -- of the blocks that hold a token, each on its own
  for i, block in ipairs(state.blocks) do
    local typst, html = typst_ready(pandoc.Pandoc({ block }), job.media_prefix).blocks,
      html_styles(pandoc.Pandoc({ block }), "").blocks
    if pandoc.utils.stringify(block):find(TOKEN_OPEN, 1, true) then
      varying[#varying + 1] = block
      state.varying[i] = #varying
      typst_texts[#varying], html_texts[#varying] = write_typst(typst), write_html(html)
    end
    typst_all:extend(typst)
    html_all:extend(html)
  end
  if native(typst_all) ~= native(typst_ready(doc, job.media_prefix).blocks)
      or native(html_all) ~= native(html_styles(doc, "").blocks) then
    return nil
  end
  -- The text of the whole shape, cut where the blocks that hold a token stand: these
  -- must come out in the whole as they come out on their own, and nothing else may hold
  -- a token. A letter is the shape's text with its own texts of these blocks in place.
  state.typst_segments = segments(write_typst(typst_all), typst_texts)
  state.html_segments = segments(write_html(html_all), html_texts)
  if state.typst_segments and state.html_segments and #varying > 0 then
    -- a marked text is a block's text without the line breaks at its ends, which are kept
    local typst_marked, html_marked = marked_texts(marked(varying), job.media_prefix)
    state.by_marks = #typst_marked == #varying and #html_marked == #varying
    state.typst_ends, state.html_ends = {}, {}
    for k = 1, #varying do
      for _, format in ipairs { { typst_texts[k], typst_marked[k], state.typst_ends },
                                { html_texts[k], html_marked[k], state.html_ends } } do
        local lead, piece, trail = format[1]:match("^(\n*)(.-)(\n*)$")
        if piece ~= format[2] then state.by_marks = false end
        format[3][k] = { lead, trail }
      end
    end
  end
  return state
end

-- A letter of a shape, as convert() makes it from the letter's own file; nil where it
-- cannot be made so (a heading's identifier that would come out otherwise).
local function convert_shared(job, state)
  local count, texts, blocks = #state.blocks, {}, {}
  for i = 1, count do
    texts[i] = state.texts[i]
    if state.varying[i] then
      blocks[i] = filled(state.blocks[i], job.values)
      if not blocks[i] then return nil end
      if texts[i] then texts[i] = pandoc.utils.stringify(blocks[i]) end
    end
  end
  local ids = heading_ids(texts, count)
  if not ids then return nil end
  for i = 1, count do
    if ids[i] and not state.varying[i] and ids[i] ~= state.blocks[i].identifier then
      return nil
    end
    if ids[i] and state.varying[i] then blocks[i].identifier = ids[i] end
  end
  local typst, html
  if state.by_marks then  -- the shape's text, and the letter's blocks written anew
    local varying = {}
    for i, k in pairs(state.varying) do varying[k] = blocks[i] end
    local typst_texts, html_texts = marked_texts(marked(varying), job.media_prefix)
    if #typst_texts ~= #varying or #html_texts ~= #varying then return nil end
    for k = 1, #varying do
      local t, h = state.typst_ends[k], state.html_ends[k]
      typst_texts[k], html_texts[k] = t[1] .. typst_texts[k] .. t[2], h[1] .. html_texts[k] .. h[2]
    end
    typst = spliced(state.typst_segments, typst_texts)
    html = spliced(state.html_segments, html_texts)
  else  -- the whole document laid out and written
    local all = pandoc.Blocks({})
    for i = 1, count do all:insert(blocks[i] or state.blocks[i]) end
    local doc = pandoc.Pandoc(all)
    typst, html = write_typst(typst_ready(doc, job.media_prefix).blocks),
      write_html(html_styles(doc, "").blocks)
  end
  local warnings = {}
  for k, warning in ipairs(state.warnings) do warnings[k] = warning end
  return { typst = typst, html = html, toc = "", warnings = warnings, title = job.title }
end

local shape = {}  -- the last shape read: its key and what it gives (see shape_state)
local function converted_shared(job)
  if shape.key ~= job.shape then
    shape = { key = job.shape, state = shape_state(job) }
  end
  return shape.state and convert_shared(job, shape.state)
end

local last = {}  -- the last body only: the media bag holds its images
local function converted(job)
  if job.shape and job.shape ~= json.null then return converted_shared(job) end
  local key = job.body_key
  if key == json.null then key = nil end
  local value = (key and last.key == key) and last.value or convert(job)
  last = { key = key, value = value }
  local own = {}  -- the job's own title, never the one of the document read before
  for name, item in pairs(value) do own[name] = item end
  if job.title and job.title ~= json.null then own.title = job.title end
  return own
end

for line in io.stdin:lines() do
  local job = json.decode(line, false)
  local ok, result = pcall(converted, job)
  if ok and not result then
    result = { unshared = true }  -- a letter of a shape that must be read on its own
  elseif ok then
    write_file(job.output, json.encode(result))
    result = { ok = true }
  else
    result = { ok = false, error = tostring(result) }
  end
  io.stdout:write(json.encode(result), "\n")
  io.stdout:flush()
  -- A document pandoc read is held by Lua values that are small to Lua, so Lua's own
  -- collector would seldom run and pandoc's memory would grow with every document (some
  -- 36 MB a thousand letters): collect after each.
  collectgarbage()
end
