#include "http_response.h"

namespace httpd {
namespace {

struct Status {
  uint16_t code;
  const char* reason;
  const char* page;
  size_t page_length;
};

#define HTTPD_PAGE(code, reason)                                                                        \
  "<html>\r\n<head><title>" #code " " reason "</title></head>\r\n<body>\r\n<center><h1>" #code " " reason \
  "</h1></center>\r\n<hr><center>libvmm-httpd</center>\r\n</body>\r\n</html>\r\n"
#define HTTPD_STATUS(code, reason) {code, reason, HTTPD_PAGE(code, reason), sizeof(HTTPD_PAGE(code, reason)) - 1}

constexpr Status kStatuses[] = {
    {200, "OK", "", 0},
    HTTPD_STATUS(400, "Bad Request"),
    HTTPD_STATUS(404, "Not Found"),
    HTTPD_STATUS(405, "Method Not Allowed"),
    HTTPD_STATUS(413, "Content Too Large"),
    HTTPD_STATUS(414, "URI Too Long"),
    HTTPD_STATUS(431, "Request Header Fields Too Large"),
    HTTPD_STATUS(500, "Internal Server Error"),
    HTTPD_STATUS(501, "Not Implemented"),
    HTTPD_STATUS(505, "HTTP Version Not Supported"),
};

const Status& find_status(uint16_t code) {
  for (const Status& s : kStatuses) {
    if (s.code == code) return s;
  }
  return kStatuses[7];  // 500
}

// Appends text to a buffer known to be large enough (kMaxResponseHead is sized for the
// longest head; content types are short constants).
class Appender {
 public:
  explicit Appender(char* out) : out_(out) {}
  Appender& text(const char* s) {
    while (*s) out_[n_++] = *s++;
    return *this;
  }
  Appender& text(const char* s, size_t length) {
    for (size_t i = 0; i < length; ++i) out_[n_++] = s[i];
    return *this;
  }
  Appender& number(uint64_t v, int min_digits = 1) {
    char digits[20];
    int k = 0;
    do {
      digits[k++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0 || k < min_digits);
    while (k > 0) out_[n_++] = digits[--k];
    return *this;
  }
  size_t length() const { return n_; }

 private:
  char* out_;
  size_t n_ = 0;
};

bool is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

}  // namespace

const char* reason_phrase(uint16_t status) {
  const Status& s = find_status(status);
  return s.code == status ? s.reason : "Unknown";
}

size_t format_response_head(char* out, const ResponseHead& head) {
  Appender a(out);
  a.text("HTTP/1.1 ").number(head.status).text(" ").text(reason_phrase(head.status)).text("\r\n");
  a.text("Server: libvmm-httpd\r\nDate: ").text(head.date, kHttpDateLength).text("\r\n");
  a.text("Content-Type: ").text(head.content_type).text("\r\n");
  a.text("Content-Length: ").number(head.content_length).text("\r\n");
  if (head.status == 405) a.text("Allow: GET, HEAD\r\n");
  a.text(head.keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n");
  return a.length();
}

const char* error_page(uint16_t status, size_t* length) {
  const Status& s = find_status(status);
  *length = s.page_length;
  return s.page;
}

void format_http_date(int64_t unix_seconds, char* out) {
  static const char kDays[] = "ThuFriSatSunMonTueWed";  // 1970-01-01 was a Thursday
  static const char kMonths[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
  static const uint8_t kMonthDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (unix_seconds < 0) unix_seconds = 0;
  int64_t days = unix_seconds / 86400;
  int64_t secs = unix_seconds % 86400;
  int64_t weekday = days % 7;
  int64_t year = 1970;
  while (days >= (is_leap(year) ? 366 : 365)) days -= is_leap(year++) ? 366 : 365;
  int month = 0;
  for (;; ++month) {
    int64_t length = kMonthDays[month] + (month == 1 && is_leap(year) ? 1 : 0);
    if (days < length) break;
    days -= length;
  }
  Appender a(out);
  a.text(kDays + 3 * weekday, 3).text(", ").number(static_cast<uint64_t>(days + 1), 2).text(" ");
  a.text(kMonths + 3 * month, 3).text(" ").number(static_cast<uint64_t>(year), 4).text(" ");
  a.number(static_cast<uint64_t>(secs / 3600), 2).text(":").number(static_cast<uint64_t>(secs / 60 % 60), 2);
  a.text(":").number(static_cast<uint64_t>(secs % 60), 2).text(" GMT");
  out[a.length()] = '\0';
}

}  // namespace httpd
