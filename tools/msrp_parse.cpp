// msrp-parse: reads an MSRP chunk stream (a file, or stdin) and prints each
// chunk as one JSON object per line. On a protocol error it prints one
// {"error", "code", "msrp_status"} object and exits 1.

#include <msrp/protocol/chunk_reader.hpp>
#include <msrp/protocol/error.hpp>

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace {

// Keys in the order they are set: transaction id first, as on the wire.
using json = nlohmann::ordered_json;

const char* errc_name(msrp::errc e) {
    using msrp::errc;
    switch (e) {
    case errc::bad_start_line: return "bad_start_line";
    case errc::bad_transaction_id: return "bad_transaction_id";
    case errc::bad_method: return "bad_method";
    case errc::bad_status_code: return "bad_status_code";
    case errc::bare_lf: return "bare_lf";
    case errc::bare_cr: return "bare_cr";
    case errc::nul_byte: return "nul_byte";
    case errc::bad_header_line: return "bad_header_line";
    case errc::line_too_long: return "line_too_long";
    case errc::header_block_too_large: return "header_block_too_large";
    case errc::too_many_headers: return "too_many_headers";
    case errc::missing_to_path: return "missing_to_path";
    case errc::missing_from_path: return "missing_from_path";
    case errc::header_order: return "header_order";
    case errc::duplicate_header: return "duplicate_header";
    case errc::bad_uri: return "bad_uri";
    case errc::unsupported_transport: return "unsupported_transport";
    case errc::bad_byte_range: return "bad_byte_range";
    case errc::bad_message_id: return "bad_message_id";
    case errc::bad_header_value: return "bad_header_value";
    case errc::bad_status_header: return "bad_status_header";
    case errc::missing_content_type: return "missing_content_type";
    case errc::content_type_not_last: return "content_type_not_last";
    case errc::content_type_without_body: return "content_type_without_body";
    case errc::response_with_body: return "response_with_body";
    case errc::missing_message_id: return "missing_message_id";
    case errc::missing_status: return "missing_status";
    case errc::report_with_report_header: return "report_with_report_header";
    case errc::body_too_large: return "body_too_large";
    case errc::end_line_mismatch: return "end_line_mismatch";
    case errc::bad_continuation_flag: return "bad_continuation_flag";
    case errc::truncated: return "truncated";
    case errc::trailing_data: return "trailing_data";
    case errc::end_line_in_body: return "end_line_in_body";
    case errc::invalid_argument: return "invalid_argument";
    default: return nullptr;  // a code newer than this tool: printed as a number
    }
}

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
bool is_valid_utf8(std::string_view s) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const auto* end = p + s.size();
    while (p < end) {
        const unsigned c = *p;
        std::size_t n;
        unsigned lo = 0x80, hi = 0xBF;  // bounds of the second byte
        if (c < 0x80) { ++p; continue; }
        else if (c >= 0xC2 && c <= 0xDF) n = 1;
        else if (c == 0xE0) { n = 2; lo = 0xA0; }
        else if (c == 0xED) { n = 2; hi = 0x9F; }
        else if (c >= 0xE1 && c <= 0xEF) n = 2;
        else if (c == 0xF0) { n = 3; lo = 0x90; }
        else if (c == 0xF4) { n = 3; hi = 0x8F; }
        else if (c >= 0xF1 && c <= 0xF3) n = 3;
        else return false;
        if (static_cast<std::size_t>(end - p) <= n) return false;
        if (p[1] < lo || p[1] > hi) return false;
        for (std::size_t i = 2; i <= n; ++i)
            if (p[i] < 0x80 || p[i] > 0xBF) return false;
        p += n + 1;
    }
    return true;
}

std::string base64(std::string_view in) {
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= in.size(); i += 3) {
        const std::uint32_t v = (std::uint32_t(std::uint8_t(in[i])) << 16) |
                                (std::uint32_t(std::uint8_t(in[i + 1])) << 8) |
                                std::uint8_t(in[i + 2]);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += alphabet[v & 63];
    }
    if (const std::size_t rest = in.size() - i) {
        std::uint32_t v = std::uint32_t(std::uint8_t(in[i])) << 16;
        if (rest == 2) v |= std::uint32_t(std::uint8_t(in[i + 1])) << 8;
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += rest == 2 ? alphabet[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

json path_json(const msrp::Path& path) {
    json out = json::array();
    for (const auto& uri : path)
        out.push_back(uri.to_string());
    return out;
}

json range_bound(std::uint64_t v) {
    return v == msrp::ByteRange::unknown ? json(nullptr) : json(v);
}

json chunk_json(const msrp::Chunk& c) {
    json j;
    j["transaction_id"] = c.transaction_id;
    if (c.is_request()) {
        j["method"] = c.method;
    } else {
        j["code"] = c.code;
        j["comment"] = c.comment;
    }
    json headers = json::array();
    for (const auto& h : c.headers)
        headers.push_back(json::array({h.name, h.value}));
    j["headers"] = std::move(headers);
    j["continuation"] = std::string(1, c.contflag);
    j["has_body"] = c.has_body;
    j["body_length"] = c.data.size();
    if (c.has_body) {
        if (is_valid_utf8(c.data)) {
            j["body"] = c.data;
            j["body_encoding"] = "utf-8";
        } else {
            j["body"] = base64(c.data);
            j["body_encoding"] = "base64";
        }
    }
    if (auto p = c.to_path()) j["to_path"] = path_json(*p);
    if (auto p = c.from_path()) j["from_path"] = path_json(*p);
    if (auto p = c.use_path()) j["use_path"] = path_json(*p);
    if (auto r = c.byte_range())
        j["byte_range"] = {{"start", r->start}, {"end", range_bound(r->end)},
                           {"total", range_bound(r->total)}};
    if (auto s = c.status())
        j["status"] = {{"namespace", s->ns}, {"code", s->code}, {"comment", s->comment}};
    return j;
}

json error_json(std::error_code ec, std::string_view transaction_id) {
    json j;
    j["error"] = ec.message();
    const char* name = nullptr;
    if (ec.category() == msrp::error_category())
        name = errc_name(static_cast<msrp::errc>(ec.value()));
    if (name)
        j["code"] = name;
    else
        j["code"] = ec.value();
    j["msrp_status"] = msrp::status_code_for(ec);
    if (!transaction_id.empty())
        j["transaction_id"] = std::string(transaction_id);
    return j;
}

int pretty_indent = -1;

void print(const json& j) {
    // Header values are checked UTF-8 by the parser; replace rather than throw
    // should anything else slip through.
    const std::string text = j.dump(pretty_indent, ' ', false, json::error_handler_t::replace);
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fputc('\n', stdout);
}

void usage(std::FILE* to) {
    std::fputs("usage: msrp-parse [--pretty] [FILE | -]\n"
               "Parses an MSRP chunk stream (RFC 4975) from FILE or stdin and prints\n"
               "each chunk as one JSON object; on a protocol error prints\n"
               "{\"error\", \"code\", \"msrp_status\"} and exits 1 (2 on usage/I/O errors).\n",
               to);
}

// Prints the chunks that are ready; on error prints it and returns false.
bool drain(msrp::chunk_reader& reader, std::error_code ec) {
    while (std::optional<msrp::Chunk> chunk = reader.next())
        print(chunk_json(*chunk));
    if (ec) {
        print(error_json(ec, reader.parser().transaction_id()));
        return false;
    }
    return true;
}

} // namespace

int main(int argc, char** argv) {
    const char* file = nullptr;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "-h" || arg == "--help") {
            usage(stdout);
            return 0;
        } else if (arg == "--pretty") {
            pretty_indent = 2;
        } else if (!file && (arg == "-" || arg.empty() || arg[0] != '-')) {
            file = argv[i];
        } else {
            usage(stderr);
            return 2;
        }
    }

    std::FILE* in = stdin;
    if (file && std::string_view(file) != "-") {
        in = std::fopen(file, "rb");
        if (!in) {
            std::fprintf(stderr, "msrp-parse: %s: %s\n", file, std::strerror(errno));
            return 2;
        }
    }

    msrp::chunk_reader reader;
    char buf[64 * 1024];
    for (;;) {
        const std::size_t n = std::fread(buf, 1, sizeof buf, in);
        if (n > 0 && !drain(reader, reader.feed(std::string_view(buf, n))))
            return 1;
        if (n < sizeof buf) {
            if (std::ferror(in)) {
                std::fprintf(stderr, "msrp-parse: read error: %s\n", std::strerror(errno));
                return 2;
            }
            if (std::feof(in))
                break;
        }
    }
    if (!drain(reader, reader.finish()))
        return 1;
    return 0;
}
