#include <msrp/protocol/cpim.hpp>
#include <msrp/protocol/error.hpp>

#include "../detail/ascii.hpp"

#include <cstdio>
#include <utility>

// The DateTime of message/cpim (RFC 3862 §4.4): RFC 3339 date-time text
// to and from epoch milliseconds. Kept apart from cpim.cpp: calendar
// arithmetic is its own concept.

namespace msrp {

namespace {

using detail::is_digit;

int days_in_month(int year, int month) noexcept {
    static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
// (H. Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, int& year, int& month, int& day) noexcept {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    year = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (month <= 2));
}

bool fixed_digits(std::string_view s, std::size_t at, std::size_t n, int& out) noexcept {
    if (at + n > s.size())
        return false;
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) {
        if (!is_digit(static_cast<unsigned char>(s[i])))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    out = v;
    return true;
}

} // namespace

// date-time = full-date "T" full-time (RFC 3339 §5.6):
// YYYY-MM-DD "T" hh:mm:ss [ "." 1*DIGIT ] ( "Z" / ( "+" / "-" ) hh:mm ).
std::error_code parse_cpim_datetime(std::string_view s, CPIMDateTime& out) {
    CPIMDateTime d;
    if (s.size() < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' ||
        s[16] != ':')
        return errc::bad_cpim_datetime;
    if (!fixed_digits(s, 0, 4, d.year) || !fixed_digits(s, 5, 2, d.month) || !fixed_digits(s, 8, 2, d.day) ||
        !fixed_digits(s, 11, 2, d.hour) || !fixed_digits(s, 14, 2, d.minute) || !fixed_digits(s, 17, 2, d.second))
        return errc::bad_cpim_datetime;
    std::size_t i = 19;
    if (s[i] == '.') {
        const std::size_t start = ++i;
        int ms = 0;
        while (i < s.size() && is_digit(static_cast<unsigned char>(s[i]))) {
            if (i - start < 3)
                ms = ms * 10 + (s[i] - '0');
            ++i;
        }
        if (i == start)
            return errc::bad_cpim_datetime;
        for (std::size_t n = i - start; n < 3; ++n)
            ms *= 10;
        d.millisecond = ms;
    }
    if (i >= s.size())
        return errc::bad_cpim_datetime;
    if (s[i] == 'Z' || s[i] == 'z') {
        if (i + 1 != s.size())
            return errc::bad_cpim_datetime;
    } else if (s[i] == '+' || s[i] == '-') {
        int oh = 0, om = 0;
        if (i + 6 != s.size() || s[i + 3] != ':' || !fixed_digits(s, i + 1, 2, oh) ||
            !fixed_digits(s, i + 4, 2, om) || oh > 23 || om > 59)
            return errc::bad_cpim_datetime;
        d.offset_minutes = (s[i] == '-' ? -1 : 1) * (oh * 60 + om);
    } else {
        return errc::bad_cpim_datetime;
    }
    if (d.month < 1 || d.month > 12 || d.day < 1 || d.day > days_in_month(d.year, d.month) || d.hour > 23 ||
        d.minute > 59 || d.second > 60)
        return errc::bad_cpim_datetime;
    const std::int64_t days = days_from_civil(d.year, static_cast<unsigned>(d.month), static_cast<unsigned>(d.day));
    const std::int64_t seconds = days * 86400 + d.hour * 3600 + d.minute * 60 + d.second - d.offset_minutes * 60;
    d.epoch_ms = seconds * 1000 + d.millisecond;
    d.text.assign(s);
    out = std::move(d);
    return {};
}

std::error_code make_cpim_datetime(std::int64_t epoch_ms, int offset_minutes, CPIMDateTime& out) {
    if (offset_minutes < -1439 || offset_minutes > 1439)
        return errc::invalid_argument;
    // Years 0000..9999 (RFC 3339 date-fullyear = 4DIGIT).
    constexpr std::int64_t min_ms = -62167219200000LL, max_ms = 253402300799999LL;
    // Checked before the sum, so that it cannot overflow.
    if (epoch_ms < min_ms - 86400000LL || epoch_ms > max_ms + 86400000LL)
        return errc::invalid_argument;
    const std::int64_t local = epoch_ms + std::int64_t{offset_minutes} * 60000;
    if (local < min_ms || local > max_ms)
        return errc::invalid_argument;
    const std::int64_t ms_of_day_count = 86400000;
    std::int64_t days = local / ms_of_day_count;
    std::int64_t rem = local % ms_of_day_count;
    if (rem < 0) {
        rem += ms_of_day_count;
        --days;
    }
    CPIMDateTime d;
    civil_from_days(days, d.year, d.month, d.day);
    d.hour = static_cast<int>(rem / 3600000);
    d.minute = static_cast<int>(rem / 60000 % 60);
    d.second = static_cast<int>(rem / 1000 % 60);
    d.millisecond = static_cast<int>(rem % 1000);
    d.offset_minutes = offset_minutes;
    d.epoch_ms = epoch_ms;
    char buf[40];
    const int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03d", d.year, d.month, d.day, d.hour,
                                d.minute, d.second, d.millisecond);
    d.text.assign(buf, static_cast<std::size_t>(n));
    if (offset_minutes == 0) {
        d.text += 'Z';
    } else {
        const int abs_offset = offset_minutes < 0 ? -offset_minutes : offset_minutes;
        std::snprintf(buf, sizeof buf, "%c%02d:%02d", offset_minutes < 0 ? '-' : '+', abs_offset / 60,
                      abs_offset % 60);
        d.text += buf;
    }
    out = std::move(d);
    return {};
}

} // namespace msrp
