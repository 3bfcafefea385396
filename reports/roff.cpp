#include "reports/roff.h"

#include <cstdio>
#include <vector>

#include "linter/core/text.h"
#include "linter/core/utf8.h"

namespace ckptlint::reports {
namespace {

// Characters of the rule pages with a groff name: those render on ASCII terminals too.
const char* namedGlyph(uint32_t code_point) {
  switch (code_point) {
    case 0x2014: return "\\(em";
    case 0x2013: return "\\(en";
    case 0x2212: return "\\(mi";
    case 0x00D7: return "\\(mu";
    case 0x00B1: return "\\(+-";
    case 0x2192: return "\\(->";
    case 0x2190: return "\\(<-";
    case 0x2264: return "\\(<=";
    case 0x2265: return "\\(>=";
    default: return nullptr;
  }
}

// Every character escaped as roffText says, without the leading-control guard.
std::string escapeCharacters(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t at = 0; at < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[at]);
    if (c < 0x80) {
      if (c == '\\') {
        out += "\\e";
      } else if (c == '-') {
        out += "\\-";
      } else if (c == '\t') {
        out += ' ';
      } else if (c >= 0x20 && c != 0x7F) {
        out += static_cast<char>(c);
      }  // other control characters have no place in a page: dropped
      ++at;
      continue;
    }
    uint32_t code_point = 0;
    const std::size_t length = decodeUtf8(text, at, &code_point);
    if (length == 0) {
      out += '?';
      ++at;
      continue;
    }
    if (const char* glyph = namedGlyph(code_point)) {
      out += glyph;
    } else {
      char buffer[16];
      std::snprintf(buffer, sizeof buffer, "\\[u%04X]", static_cast<unsigned>(code_point));
      out += buffer;
    }
    at += length;
  }
  return out;
}

// A line that roff would read as a request (leading '.' or '\'') gets a zero-width `\&` first.
std::string guardLineStart(std::string line) {
  if (!line.empty() && (line.front() == '.' || line.front() == '\'')) line.insert(0, "\\&");
  return line;
}

std::string_view trimLeft(std::string_view line) {
  const std::size_t first = line.find_first_not_of(' ');
  return first == std::string_view::npos ? std::string_view() : line.substr(first);
}

bool isBlank(std::string_view line) { return line.find_first_not_of(" \t\r") == std::string_view::npos; }

// Markdown inline markup of one line as roff fonts. A `code` span may continue on the next
// line of its paragraph: `in_code` carries that state from line to line.
class InlineConverter {
 public:
  std::string line(std::string_view text) {
    std::string out = in_code_ ? "\\fB" : "";
    std::string plain;  // text waiting to be escaped
    auto flush = [&] {
      out += escapeCharacters(plain);
      plain.clear();
    };
    for (std::size_t at = 0; at < text.size(); ++at) {
      const char c = text[at];
      if (c == '`') {
        flush();
        in_code_ = !in_code_;
        out += in_code_ ? "\\fB" : "\\fR";
        continue;
      }
      if (in_code_) {
        plain += c;
        continue;
      }
      if (c == '*') {
        const bool strong = at + 1 < text.size() && text[at + 1] == '*';
        const std::string_view mark = strong ? "**" : "*";
        const std::size_t open_end = at + mark.size();
        const std::size_t close = text.find(mark, open_end + 1);
        if (open_end < text.size() && text[open_end] != ' ' && close != std::string_view::npos &&
            text[close - 1] != ' ') {
          flush();
          out += strong ? "\\fB" : "\\fI";
          out += escapeCharacters(text.substr(open_end, close - open_end));
          out += "\\fR";
          at = close + mark.size() - 1;
          continue;
        }
      }
      if (c == '[') {  // [text](address): the text
        const std::size_t middle = text.find("](", at);
        const std::size_t end = middle == std::string_view::npos ? middle : text.find(')', middle);
        if (end != std::string_view::npos && text.substr(at + 1, middle - at - 1).find('`') == std::string_view::npos) {
          plain += text.substr(at + 1, middle - at - 1);
          at = end;
          continue;
        }
      }
      plain += c;
    }
    flush();
    if (in_code_) out += "\\fR";  // fonts do not carry over a line break; reopened next line
    return guardLineStart(std::move(out));
  }
  void endParagraph() { in_code_ = false; }

 private:
  bool in_code_ = false;
};

}  // namespace

std::string roffText(std::string_view text) { return guardLineStart(escapeCharacters(text)); }

std::string markdownToRoff(std::string_view markdown) {
  std::string out;
  InlineConverter inline_text;
  bool in_fence = false;
  bool in_item = false;        // inside a `- ` item: further lines continue it
  bool need_paragraph = true;  // the next text line starts a new paragraph
  std::vector<std::string_view> lines = splitLines(markdown);
  std::size_t first = 0;
  if (!lines.empty() && startsWith(lines.front(), "# ")) first = 1;  // the title
  for (std::size_t index = first; index < lines.size(); ++index) {
    const std::string_view line = lines[index];
    if (in_fence) {
      if (startsWith(line, "```")) {
        out += ".fi\n.RE\n";
        in_fence = false;
        need_paragraph = true;
      } else {
        out += line.empty() ? std::string("\\&") : guardLineStart(escapeCharacters(line));
        out += '\n';
      }
      continue;
    }
    if (startsWith(line, "```")) {
      out += ".PP\n.RS 4\n.nf\n";
      in_fence = true;
      in_item = false;
      inline_text.endParagraph();
      continue;
    }
    if (isBlank(line)) {
      need_paragraph = true;
      in_item = false;
      inline_text.endParagraph();
      continue;
    }
    if (startsWith(line, "#")) {
      inline_text.endParagraph();
      const std::size_t text_start = line.find_first_not_of('#');
      out += ".PP\n\\fB" + inline_text.line(trimLeft(line.substr(text_start))) + "\\fR\n.br\n";
      in_item = false;
      need_paragraph = false;
      continue;
    }
    if (startsWith(line, "- ") || startsWith(line, "* ")) {
      inline_text.endParagraph();
      out += ".IP \\(bu 2\n" + inline_text.line(line.substr(2)) + '\n';
      in_item = true;
      need_paragraph = false;
      continue;
    }
    if (need_paragraph && !in_item) out += ".PP\n";
    need_paragraph = false;
    out += inline_text.line(trimLeft(line)) + '\n';
  }
  if (in_fence) out += ".fi\n.RE\n";  // an unclosed fence still leaves fill mode restored
  return out;
}

}  // namespace ckptlint::reports
