#include <msrp/protocol/chunk_parser.hpp>
#include <msrp/protocol/path.hpp>

#include "../detail/ascii.hpp"
#include "../detail/text_checks.hpp"
#include "end_line_search.hpp"

#include <algorithm>
#include <cstring>

namespace msrp {
namespace {

using namespace detail;

constexpr std::string_view start_prefix = "MSRP ";
constexpr std::string_view end_line_prefix = "\r\n-------";
constexpr std::size_t max_tid_storage = 64;

bool is_flag(char c) noexcept {
    return c == '$' || c == '+' || c == '#';
}

// Header fields with a rule of their own. The index is a bit in a mask.
enum class known_header : std::uint8_t {
    other,
    to_path,
    from_path,
    message_id,
    byte_range,
    success_report,
    failure_report,
    status,
    content_type,
    use_path,
    expires,
    min_expires,
    max_expires,
};

known_header classify(std::string_view name) noexcept {
    // One comparison at most: the length and first letter pick the candidate.
    struct entry {
        std::string_view name;
        known_header id;
    };
    auto match = [&](entry e) { return iequals(e.name, name) ? e.id : known_header::other; };
    switch (name.size()) {
    case 6:
        return match({"Status", known_header::status});
    case 7:
        switch (to_lower(static_cast<unsigned char>(name[0]))) {
        case 't': return match({"To-Path", known_header::to_path});
        case 'e': return match({"Expires", known_header::expires});
        }
        return known_header::other;
    case 8:
        return match({"Use-Path", known_header::use_path});
    case 9:
        return match({"From-Path", known_header::from_path});
    case 10:
        switch (to_lower(static_cast<unsigned char>(name[0]))) {
        case 'm': return match({"Message-ID", known_header::message_id});
        case 'b': return match({"Byte-Range", known_header::byte_range});
        }
        return known_header::other;
    case 11:
        switch (to_lower(static_cast<unsigned char>(name[1]))) {
        case 'i': return match({"Min-Expires", known_header::min_expires});
        case 'a': return match({"Max-Expires", known_header::max_expires});
        }
        return known_header::other;
    case 12:
        return match({"Content-Type", known_header::content_type});
    case 14:
        switch (to_lower(static_cast<unsigned char>(name[0]))) {
        case 's': return match({"Success-Report", known_header::success_report});
        case 'f': return match({"Failure-Report", known_header::failure_report});
        }
        return known_header::other;
    }
    return known_header::other;
}

} // namespace

chunk_parser::chunk_parser(parser_options options) : options_(options) {
    auto& limits = options_.limits;
    limits.max_transaction_id_bytes =
        std::clamp<std::size_t>(limits.max_transaction_id_bytes, 4, max_tid_storage);
    header_offsets_.reserve(limits.max_header_count);
    header_views_.reserve(limits.max_header_count);
}

void chunk_parser::reset() noexcept {
    state_ = state::start_line;
    scanned_ = 0;
    line_begin_ = 0;
    header_offsets_.clear();
    header_views_.clear();
    head_ = chunk_head{};
    tid_len_ = 0;
    end_line_len_ = 0;
    body_bytes_ = 0;
    suspect_ = suspect::none;
    suspect_end_ = 0;
    error_ = {};
    // The next head's paths relate to no head handed out before.
    checked_paths_[0].clear();
    checked_paths_[1].clear();
}

parse_result chunk_parser::fail(std::error_code ec) {
    state_ = state::failed;
    error_ = ec;
    parse_result r;
    r.event = parse_event::error;
    r.ec = ec;
    return r;
}

parse_result chunk_parser::parse(std::string_view input) {
    switch (state_) {
    case state::start_line:
    case state::headers:
        return parse_head(input);
    case state::head_done_bodiless: {
        state_ = state::start_line;
        parse_result r;
        r.event = parse_event::end;
        return r;
    }
    case state::body:
        return parse_body(input);
    case state::failed:
        break;
    }
    parse_result r;
    r.event = parse_event::error;
    r.ec = error_;
    return r;
}

parse_result chunk_parser::parse_head(std::string_view input) {
    const auto& limits = options_.limits;
    if (input.size() < scanned_) {
        // The caller dropped bytes it had not been told to drop; nothing of
        // the head was consumed, so read it again from the start.
        state_ = state::start_line;
        scanned_ = line_begin_ = 0;
    }
    // Reject what is not MSRP as soon as it shows, without waiting for a
    // line end (a peer speaking another protocol may never send one).
    if (state_ == state::start_line && scanned_ < start_prefix.size()) {
        const auto n = std::min(input.size(), start_prefix.size());
        if (input.compare(0, n, start_prefix.substr(0, n)) != 0)
            return fail(errc::bad_start_line);
    }
    for (;;) {
        // One pass over the head: find the next octet that is not printable
        // ASCII; line ends, tabs and UTF-8 are among them, and so is every
        // octet the ABNF forbids here.
        const std::size_t p = first_special_octet(input, scanned_);
        // The limits first: whichever was crossed at the smaller offset,
        // as a caller feeding less would have met it, so that the error does
        // not depend on how the input was split.
        const auto line_limit_at = line_begin_ + limits.max_line_bytes + 2;
        const auto block_limit_at = limits.max_header_block_bytes + 1;
        if (p >= line_limit_at && (p < block_limit_at || line_limit_at <= block_limit_at))
            return fail(errc::line_too_long);
        if (p >= block_limit_at)
            return fail(errc::header_block_too_large);
        if (p == input.size()) {
            scanned_ = p;
            return {};
        }
        const auto c = static_cast<unsigned char>(input[p]);
        const bool in_start_line = state_ == state::start_line;
        if (c == '\t') {
            scanned_ = p + 1;
            continue;
        }
        if (c >= 0x80) {
            const auto n = utf8_sequence_length(input.substr(p));
            if (n == 0)
                return fail(in_start_line ? errc::bad_start_line : errc::bad_header_line);
            if (n == std::string_view::npos) { // cut short: wait for the rest
                scanned_ = p;
                return {};
            }
            scanned_ = p + n;
            continue;
        }
        if (c == '\n')
            return fail(errc::bare_lf);
        if (c == 0)
            return fail(errc::nul_byte);
        if (c != '\r')
            return fail(in_start_line ? errc::bad_start_line : errc::bad_header_line);
        if (p + 1 == input.size()) {
            scanned_ = p;
            return {};
        }
        if (input[p + 1] != '\n')
            return fail(errc::bare_cr);
        const auto pos = p + 1; // the LF
        if (pos + 1 > limits.max_header_block_bytes)
            return fail(errc::header_block_too_large);
        const auto line = input.substr(line_begin_, p - line_begin_);
        const auto line_begin = line_begin_;
        scanned_ = line_begin_ = pos + 1;

        if (state_ == state::start_line) {
            if (auto ec = parse_start_line(line))
                return fail(ec);
            state_ = state::headers;
            continue;
        }
        if (line.empty()) {
            head_.has_body = true;
            if (auto ec = check_head(input))
                return fail(ec);
            state_ = state::body;
            return head_complete();
        }
        if (line.size() >= 7 && line.compare(0, 7, "-------") == 0) {
            // An end-line straight after the headers: a chunk without body.
            const auto rest = line.substr(7);
            const auto tid = transaction_id();
            if (rest.size() == tid.size() + 1 && rest.compare(0, tid.size(), tid) == 0) {
                flag_ = rest.back();
                if (!is_flag(flag_))
                    return fail(errc::bad_continuation_flag);
            } else if (rest == tid) {
                return fail(errc::bad_continuation_flag);
            } else {
                return fail(errc::end_line_mismatch);
            }
            head_.has_body = false;
            if (auto ec = check_head(input))
                return fail(ec);
            // RFC 4975 §7.2: responses are never chunked.
            if (is_response_ && flag_ != '$')
                return fail(errc::bad_continuation_flag);
            state_ = state::head_done_bodiless;
            return head_complete();
        }
        if (auto ec = parse_header_line(input, line_begin, line_begin + line.size()))
            return fail(ec);
    }
}

parse_result chunk_parser::head_complete() {
    // The caller drops the head's bytes: the next chunk's offsets start at 0.
    parse_result r;
    r.event = parse_event::head;
    r.consumed = scanned_;
    scanned_ = line_begin_ = 0;
    return r;
}

std::error_code chunk_parser::parse_start_line(std::string_view line) {
    // A new chunk starts: forget the previous one.
    header_offsets_.clear();
    head_ = chunk_head{};
    body_bytes_ = 0;
    suspect_ = suspect::none;
    tid_len_ = 0;
    status_code_ = 0;
    is_response_ = false;
    method_len_ = comment_len_ = 0;

    // req-start = pMSRP SP transact-id SP method CRLF
    // resp-start = pMSRP SP transact-id SP status-code [SP comment] CRLF
    auto rest = line.substr(start_prefix.size());
    const auto sp = rest.find(' ');
    if (sp == std::string_view::npos || sp == 0)
        return errc::bad_start_line;
    const auto tid = rest.substr(0, sp);
    if (!is_ident(tid, options_.limits.max_transaction_id_bytes))
        return errc::bad_transaction_id;
    std::memcpy(tid_, tid.data(), tid.size());
    tid_len_ = tid.size();
    std::memcpy(end_line_, end_line_prefix.data(), end_line_prefix.size());
    std::memcpy(end_line_ + end_line_prefix.size(), tid.data(), tid.size());
    end_line_len_ = end_line_prefix.size() + tid.size();

    rest.remove_prefix(sp + 1);
    const auto third_begin = static_cast<std::uint32_t>(start_prefix.size() + sp + 1);
    if (rest.empty())
        return errc::bad_start_line;
    if (is_digit(rest[0])) {
        if (rest.size() < 3 || !is_digit(rest[1]) || !is_digit(rest[2]) ||
            (rest.size() > 3 && rest[3] != ' '))
            return errc::bad_status_code;
        is_response_ = true;
        status_code_ = (rest[0] - '0') * 100 + (rest[1] - '0') * 10 + (rest[2] - '0');
        if (rest.size() > 4) {
            comment_begin_ = third_begin + 4;
            comment_len_ = static_cast<std::uint32_t>(rest.size() - 4);
        }
        is_send_ = false;
        return {};
    }
    const auto method_end = rest.find(' ');
    const auto method = rest.substr(0, method_end);
    for (unsigned char c : method)
        if (!is_upper(c))
            return errc::bad_method;
    if (method_end != std::string_view::npos)
        return errc::bad_start_line;
    method_begin_ = third_begin;
    method_len_ = static_cast<std::uint32_t>(method.size());
    is_send_ = method == "SEND";
    return {};
}

std::error_code chunk_parser::parse_header_line(std::string_view input, std::size_t begin,
                                                std::size_t end) {
    const auto line = input.substr(begin, end - begin);
    // header = hname ":" SP hval ; hname = ALPHA *token-char
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0 ||
        !is_alpha(static_cast<unsigned char>(line[0])))
        return errc::bad_header_line;
    if (!all_of_class(line.substr(1, colon - 1), cc_token))
        return errc::bad_header_line;
    if (colon + 1 >= line.size() || line[colon + 1] != ' ')
        return errc::bad_header_line;
    if (header_offsets_.size() >= options_.limits.max_header_count)
        return errc::too_many_headers;
    header_offsets_.push_back({static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(colon),
                               static_cast<std::uint32_t>(begin + colon + 2),
                               static_cast<std::uint32_t>(line.size() - colon - 2),
                               static_cast<std::uint8_t>(classify(line.substr(0, colon)))});
    return {};
}

std::error_code chunk_parser::check_head(std::string_view input) {
    head_.transaction_id = transaction_id();
    head_.method = input.substr(method_begin_, method_len_);
    head_.status_code = status_code_;
    head_.comment = comment_len_ ? input.substr(comment_begin_, comment_len_) : std::string_view{};
    header_views_.clear();
    for (const auto& h : header_offsets_)
        header_views_.push_back({input.substr(h.name_begin, h.name_len), input.substr(h.value_begin, h.value_len)});
    head_.headers = header_views_.data();
    head_.header_count = header_views_.size();

    // Which known fields are present, where the first of each is, and
    // whether a single-valued one repeats.
    std::uint32_t seen = 0;
    bool duplicate = false;
    std::string_view value_of[16];
    known_header last = known_header::other;
    for (std::size_t i = 0; i < header_offsets_.size(); ++i) {
        last = static_cast<known_header>(header_offsets_[i].known);
        if (last == known_header::other)
            continue;
        const auto bit = 1u << static_cast<unsigned>(last);
        if (seen & bit)
            duplicate = true;
        else
            value_of[static_cast<unsigned>(last)] = header_views_[i].value;
        seen |= bit;
    }
    auto has = [&](known_header k) { return (seen & (1u << static_cast<unsigned>(k))) != 0; };
    auto value = [&](known_header k) { return value_of[static_cast<unsigned>(k)]; };

    // RFC 4975 §9: headers = To-Path CRLF From-Path CRLF 1*( header CRLF )
    if (!has(known_header::to_path))
        return errc::missing_to_path;
    if (!has(known_header::from_path))
        return errc::missing_from_path;
    if (options_.require_path_order &&
        (static_cast<known_header>(header_offsets_[0].known) != known_header::to_path ||
         static_cast<known_header>(header_offsets_[1].known) != known_header::from_path))
        return errc::header_order;
    if (duplicate)
        return errc::duplicate_header;

    bool unsupported = false;
    auto check_transport = [&](const uri_view& v) {
        if (!options_.accept_any_transport && !iequals(v.transport, "tcp"))
            unsupported = true;
    };
    const std::string_view to = value(known_header::to_path), from = value(known_header::from_path);
    const bool paths_known = !to.empty() && !from.empty() && to == checked_paths_[0] && from == checked_paths_[1];
    for (auto k : {known_header::to_path, known_header::from_path, known_header::use_path}) {
        if (!has(k) || (paths_known && k != known_header::use_path))
            continue;
        if (auto ec = for_each_uri(value(k), check_transport))
            return ec;
    }
    if (unsupported)
        return errc::unsupported_transport;
    if (!paths_known) {
        checked_paths_[0].assign(to);
        checked_paths_[1].assign(from);
    }
    head_.same_paths_as_previous = paths_known;
    head_.to_path = value(known_header::to_path);
    head_.from_path = value(known_header::from_path);

    if (has(known_header::message_id)) {
        head_.message_id = value(known_header::message_id);
        if (!is_ident(head_.message_id))
            return errc::bad_message_id;
    }
    if (has(known_header::byte_range)) {
        if (auto ec = ByteRange::parse(value(known_header::byte_range), head_.byte_range))
            return ec;
        head_.has_byte_range = true;
    }
    if (has(known_header::success_report)) {
        const auto v = value(known_header::success_report);
        if (!iequals(v, "yes") && !iequals(v, "no"))
            return errc::bad_header_value;
    }
    if (has(known_header::failure_report)) {
        const auto v = value(known_header::failure_report);
        if (!iequals(v, "yes") && !iequals(v, "no") && !iequals(v, "partial"))
            return errc::bad_header_value;
    }
    for (auto k : {known_header::expires, known_header::min_expires, known_header::max_expires}) {
        std::uint64_t seconds = 0;
        if (has(k) && !parse_u64(value(k), seconds))
            return errc::bad_header_value;
    }
    if (has(known_header::status)) {
        int ns = 0, code = 0;
        std::string_view comment;
        if (!parse_status_value(value(known_header::status), ns, code, comment))
            return errc::bad_status_header;
    }
    if (has(known_header::content_type)) {
        head_.content_type = value(known_header::content_type);
        if (!is_valid_content_type(head_.content_type))
            return errc::bad_header_value;
    }

    if (is_response_) {
        if (head_.has_body)
            return errc::response_with_body;
        return {};
    }
    if (head_.has_body) {
        if (!has(known_header::content_type))
            return errc::missing_content_type;
        if (last != known_header::content_type)
            return errc::content_type_not_last;
    } else if (has(known_header::content_type)) {
        return errc::content_type_without_body;
    }
    const bool is_report = head_.method == "REPORT";
    if ((is_send_ || is_report) && !has(known_header::message_id))
        return errc::missing_message_id;
    if (is_report) {
        if (!has(known_header::status))
            return errc::missing_status;
        if (has(known_header::success_report) || has(known_header::failure_report))
            return errc::report_with_report_header;
    }
    return {};
}

parse_result chunk_parser::parse_body(std::string_view input) {
    const auto& limits = options_.limits;
    const std::size_t n = input.size();
    const char* const data = input.data();
    std::size_t i = 0;
    std::size_t piece = n; // body bytes that can be handed out now
    bool at_end_line = false;

    while (i < n) {
        i = find_end_line_candidate(input, i);
        if (i == n)
            break;
        const std::size_t avail = n - i;
        const std::size_t fixed = std::min(avail, end_line_prefix.size());
        if (std::memcmp(data + i, end_line_prefix.data(), fixed) != 0) {
            ++i;
            continue;
        }
        if (avail < end_line_prefix.size()) {
            piece = i; // may be the start of an end-line: wait for more
            break;
        }
        // "\r\n-------" seen: this transaction's end-line, another's, or body.
        const auto rest = input.substr(i + end_line_prefix.size());
        const auto tid = transaction_id();
        const auto common = std::min(rest.size(), tid.size());
        if (rest.compare(0, common, tid.substr(0, common)) == 0) {
            if (rest.size() < tid.size() + 3) {
                piece = i;
                break;
            }
            const char flag = rest[tid.size()];
            const bool crlf = rest[tid.size() + 1] == '\r' && rest[tid.size() + 2] == '\n';
            if (crlf && is_flag(flag)) {
                piece = i;
                at_end_line = true;
                break;
            }
            if (crlf && flag != '\r' && flag != '\n') {
                suspect_ = suspect::own_tid_bad_flag;
                suspect_end_ = body_bytes_ + i + end_line_prefix.size() + tid.size() + 3;
            }
            ++i;
            continue;
        }
        // Not this transaction's: remember a complete foreign end-line
        // (ident, flag, CRLF) so that a chunk cut off right after one can be
        // explained, and wait while one may still be forming, so that the
        // verdict does not depend on where the input was split. '+' is both
        // an ident-char and a flag, so the scan below may have taken it.
        const auto max_id = limits.max_transaction_id_bytes;
        std::size_t k = 0;
        while (k < rest.size() && k <= max_id && is_ident_char(static_cast<unsigned char>(rest[k])))
            ++k;
        if (k == rest.size() && k <= max_id) {
            piece = i;
            break;
        }
        std::size_t line_len = 0; // of id + flag + CRLF, when complete
        bool forming = false;
        if (k < rest.size() && (rest[k] == '$' || rest[k] == '#')) {
            if (rest.size() < k + 3)
                forming = true;
            else if (rest[k + 1] == '\r' && rest[k + 2] == '\n' && k >= 4 && k <= max_id)
                line_len = k + 3;
        } else if (k < rest.size() && rest[k] == '\r' && k >= 5 && rest[k - 1] == '+') {
            if (rest.size() < k + 2)
                forming = true;
            else if (rest[k + 1] == '\n')
                line_len = k + 2;
        }
        if (forming) {
            piece = i;
            break;
        }
        if (line_len) {
            suspect_ = suspect::other_tid;
            suspect_end_ = body_bytes_ + i + end_line_prefix.size() + line_len;
        }
        ++i;
    }

    if (piece > 0) {
        const std::uint64_t limit = is_send_ ? limits.max_body_bytes
                                             : std::min(limits.max_body_bytes, limits.max_non_send_body_bytes);
        if (body_bytes_ + piece > limit) {
            // Hand out the octets up to the limit first, however the input
            // was split, then fail on the first one beyond it.
            if (body_bytes_ == limit)
                return fail(errc::body_too_large);
            piece = static_cast<std::size_t>(limit - body_bytes_);
        }
        body_bytes_ += piece;
        parse_result r;
        r.event = parse_event::body;
        r.consumed = piece;
        r.body = input.substr(0, piece);
        return r;
    }
    if (at_end_line) {
        flag_ = input[end_line_len_];
        state_ = state::start_line;
        parse_result r;
        r.event = parse_event::end;
        r.consumed = end_line_len_ + 3;
        return r;
    }
    return {};
}

std::error_code chunk_parser::finish(std::size_t unconsumed) const noexcept {
    switch (state_) {
    case state::failed:
        return error_;
    case state::head_done_bodiless:
        return {};
    case state::start_line:
        return (scanned_ == 0 && unconsumed == 0) ? std::error_code{} : make_error_code(errc::truncated);
    case state::headers:
        return errc::truncated;
    case state::body:
        if (suspect_ != suspect::none && body_bytes_ + unconsumed == suspect_end_)
            return suspect_ == suspect::other_tid ? errc::end_line_mismatch : errc::bad_continuation_flag;
        return errc::truncated;
    }
    return errc::truncated;
}

} // namespace msrp
