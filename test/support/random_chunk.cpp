#include "random_chunk.hpp"

#include <msrp/protocol/chunk_serializer.hpp>

namespace msrp::test {

namespace {
constexpr std::string_view alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr std::string_view ident_chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.-+%=";
constexpr std::string_view token_chars = "!#$%&'*+-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ^_`abcdefghijklmnopqrstuvwxyz|~";
} // namespace

std::string random_chunk_generator::ident(std::size_t min_len, std::size_t max_len) {
    const auto len = min_len + pick(max_len - min_len + 1);
    std::string s(1, alnum[pick(alnum.size())]);
    while (s.size() < len)
        s += ident_chars[pick(ident_chars.size())];
    return s;
}

URI random_chunk_generator::uri() {
    URI u;
    u.use_tls = chance(0.3);
    if (chance(0.2))
        u.user = "user" + std::to_string(pick(100));
    switch (pick(3)) {
    case 0:
        u.host = "host" + std::to_string(pick(1000)) + ".example.com";
        u.port = chance(0.8) ? static_cast<std::uint16_t>(1 + pick(65535)) : 0;
        break;
    case 1:
        u.host = std::to_string(pick(256)) + "." + std::to_string(pick(256)) + "." + std::to_string(pick(256)) +
                 "." + std::to_string(pick(256));
        u.port = static_cast<std::uint16_t>(1 + pick(65535));
        break;
    default:
        u.host = chance(0.5) ? "2001:db8::" + std::to_string(pick(9999)) : "::1";
        u.port = static_cast<std::uint16_t>(1 + pick(65535));
        break;
    }
    const std::string_view sid_chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~+=/";
    if (chance(0.9)) {
        const auto len = 1 + pick(24);
        for (std::size_t i = 0; i < len; ++i)
            u.session_id += sid_chars[pick(sid_chars.size())];
    }
    if (chance(0.2))
        u.parameters.push_back("p" + std::to_string(pick(10)) + (chance(0.5) ? "=v" : ""));
    return u;
}

std::string random_chunk_generator::text(std::size_t max_len) {
    static const std::string_view pieces[] = {"a", "Z", "0", " ", "\t", "-", ":", ";", "\"", "=", "é", "€", "😀", "\xc3\xbf"};
    std::string s;
    const auto n = pick(max_len + 1);
    for (std::size_t i = 0; i < n; ++i)
        s += pieces[pick(std::size(pieces))];
    return s;
}

std::string random_chunk_generator::body(std::size_t max_len, const std::string& tid) {
    std::string b;
    const auto n = pick(max_len + 1);
    while (b.size() < n) {
        switch (pick(8)) {
        case 0:
            b += "\r\n";
            break;
        case 1:
            b += "\r\n-------" + ident() + "$\r\n"; // another transaction's end-line
            break;
        case 2:
            b += "-------";
            break;
        case 3:
            b += "\r\n-------" + tid.substr(0, tid.size() - 1); // near miss
            break;
        case 4:
            b += '\r';
            break;
        default:
            for (std::size_t k = pick(64); k > 0; --k)
                b += static_cast<char>(pick(256));
        }
    }
    return b;
}

Chunk random_chunk_generator::next() {
    Chunk c;
    for (;;) {
        c.transaction_id = ident();
        c.headers.clear();
        c.data.clear();
        c.has_body = false;
        c.contflag = '$';
        const auto kind = pick(10);
        Path to, from{uri()};
        for (auto n = 1 + pick(3); n > 0; --n)
            to.push_back(uri());
        c.method.clear();
        c.code = 0;
        c.comment.clear();
        if (kind < 3) {
            static const int codes[] = {200, 400, 403, 408, 413, 415, 423, 481, 501, 506};
            c.code = codes[pick(std::size(codes))];
            if (chance(0.7))
                c.comment = chance(0.5) ? "OK" : text(20);
            c.set_to_path(to);
            c.set_from_path(from);
        } else {
            static const char* methods[] = {"SEND", "SEND", "SEND", "REPORT", "AUTH", "NICKNAME", "XFOO"};
            c.method = methods[pick(std::size(methods))];
            c.set_to_path(to);
            c.set_from_path(from);
            const bool send = c.method == "SEND";
            const bool report = c.method == "REPORT";
            if (send || report || chance(0.2))
                c.set_message_id(ident());
            if (send && chance(0.5))
                c.set_header("Success-Report", chance(0.5) ? "yes" : "no");
            if (send && chance(0.5))
                c.set_header("Failure-Report", chance(0.5) ? "partial" : "yes");
            if (report)
                c.set_header("Status", chance(0.5) ? "000 200 OK" : "000 413 " + text(10));
            for (auto n = pick(4); n > 0; --n) {
                std::string name(1, "XYZxyz"[pick(6)]);
                for (auto k = pick(12); k > 0; --k)
                    name += token_chars[pick(token_chars.size())];
                c.add_header(name, text(30));
            }
            if (send || report || chance(0.3)) {
                const std::size_t max_body = send ? 3000 : 400;
                if (chance(0.8)) {
                    c.data = body(max_body, c.transaction_id);
                    c.set_content_type(chance(0.5) ? "text/plain" : "application/octet-stream; x=\"a;b\"");
                }
                if (send) {
                    const std::uint64_t start = chance(0.5) ? 1 : 1 + pick(100000);
                    ByteRange r{start, start - 1 + c.data.size(), ByteRange::unknown};
                    if (chance(0.3))
                        r.end = ByteRange::unknown;
                    if (chance(0.7))
                        r.total = start - 1 + c.data.size() + pick(3) * 1000;
                    c.add_header("Byte-Range", r.to_string());
                    c.contflag = "$+#"[pick(3)];
                }
            }
        }
        if (!end_line_collides(c.data, c.transaction_id))
            return c;
    }
}

} // namespace msrp::test
