// Pieces both traffic loggers use.

#include "log_format.hpp"

#include "../detail/text_checks.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace msrp::detail {

namespace {
constexpr auto npos = std::string_view::npos;
} // namespace

std::string_view state_name(connection_state s) noexcept {
    switch (s) {
    case connection_state::connecting:
        return "connecting";
    case connection_state::connected:
        return "connected";
    case connection_state::tls_handshake:
        return "tls_handshake";
    case connection_state::bound:
        return "bound";
    case connection_state::closed:
        return "closed";
    case connection_state::error:
        return "error";
    }
    return "unknown";
}

// Always UTC: local time would need the time zone database, and logs of two
// machines compare only in one zone. `iso`: "2026-11-27T09:01:02.123456Z",
// else "2026-11-27 09:01:02.123456".
void append_utc_time(std::string& out, bool iso) {
    using namespace std::chrono;
    const auto now = floor<microseconds>(system_clock::now());
    const auto day = floor<days>(now);
    const year_month_day ymd{day};
    const hh_mm_ss hms{now - day};
    char buf[48];
    const int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02u%c%02d:%02d:%02d.%06d%s", static_cast<int>(ymd.year()),
                                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), iso ? 'T' : ' ',
                                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                                static_cast<int>(hms.seconds().count()), static_cast<int>(hms.subseconds().count()),
                                iso ? "Z" : "");
    out.append(buf, static_cast<std::size_t>(std::clamp(n, 0, static_cast<int>(sizeof buf) - 1)));
}

// The length of the valid UTF-8 sequence (1..4) at `s[i]`; 0 when invalid;
// npos when `s` ends inside a sequence that is valid so far.
std::size_t utf8_length_at(std::string_view s, std::size_t i) noexcept {
    return static_cast<unsigned char>(s[i]) < 0x80 ? 1 : utf8_sequence_length(s.substr(i));
}

bool is_utf8(std::string_view s) noexcept {
    for (std::size_t i = 0; i < s.size();) {
        const auto n = utf8_length_at(s, i);
        if (n == 0 || n == npos)
            return false;
        i += n;
    }
    return true;
}

void append_hex_octet(std::string& out, unsigned char c) {
    constexpr std::string_view hex = "0123456789abcdef";
    out += hex[c >> 4];
    out += hex[c & 0xf];
}

} // namespace msrp::detail
