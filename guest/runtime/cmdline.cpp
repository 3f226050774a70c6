#include "rt/boot.h"
#include "rt/string.h"

namespace rt {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n'; }

// Splits the next token in place (honouring double quotes, which are removed) and returns
// it, or nullptr at the end. *cursor advances past the token.
char* next_token(char** cursor) {
  char* p = *cursor;
  while (is_space(*p)) ++p;
  if (*p == '\0') {
    *cursor = p;
    return nullptr;
  }
  char* token = p;
  char* w = p;
  bool quoted = false;
  for (; *p != '\0'; ++p) {
    if (*p == '"') {
      quoted = !quoted;
      continue;
    }
    if (!quoted && is_space(*p)) {
      ++p;
      break;
    }
    *w++ = *p;
  }
  char* after = p;
  *w = '\0';
  *cursor = after;
  return token;
}

}  // namespace

void parse_cmdline(char* cmdline, const char* program_name, Cmdline* out) {
  out->param_count = 0;
  out->arg_count = 0;
  out->args[out->arg_count++] = const_cast<char*>(program_name);

  // Is there a "--" token? Scan a copy-free way: tokens are split in place, so collect
  // all tokens first into a small array.
  char* tokens[Cmdline::kMaxParams + Cmdline::kMaxArgs + 1];
  int count = 0;
  int separator = -1;
  char* cursor = cmdline;
  while (char* t = next_token(&cursor)) {
    if (separator < 0 && strcmp(t, "--") == 0) {
      separator = count;
      continue;
    }
    if (count == static_cast<int>(sizeof tokens / sizeof tokens[0])) break;
    tokens[count++] = t;
  }
  int first_arg = separator < 0 ? 0 : separator;
  for (int i = 0; i < first_arg; ++i) {
    if (out->param_count == Cmdline::kMaxParams) break;
    char* eq = strchr(tokens[i], '=');
    out->param_names[out->param_count] = tokens[i];
    out->param_values[out->param_count] = eq ? eq + 1 : "";
    if (eq) *eq = '\0';
    ++out->param_count;
  }
  for (int i = first_arg; i < count && out->arg_count < Cmdline::kMaxArgs; ++i) {
    out->args[out->arg_count++] = tokens[i];
  }
  out->args[out->arg_count] = nullptr;
}

}  // namespace rt
