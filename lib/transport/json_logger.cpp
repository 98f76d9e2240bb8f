// The JSON-lines traffic log: one object per event, for tools.
// No Asio here: transports call in with what they saw.

#include <msrp/transport/traffic_log.hpp>

#include "log_format.hpp"

#include "../protocol/text_checks.hpp"

#include <ostream>
#include <string>

namespace msrp {
namespace {

using namespace detail;
constexpr auto npos = std::string_view::npos;

// ---------------------------------------------------------------------------
// JSON

// A JSON string (RFC 8259 §7). Octets that are not UTF-8 become U+FFFD:
// error messages and addresses are meant as text, and a JSON line must be
// valid UTF-8 for every tool reading it.
void append_json_string(std::string& out, std::string_view s) {
    out += '"';
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x80) {
            const auto n = utf8_sequence_length(s.substr(i));
            if (n == 0 || n == npos) {
                out += "\\ufffd";
                ++i;
            } else {
                out.append(s.substr(i, n));
                i += n;
            }
            continue;
        }
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            // DEL is legal in JSON but escaped anyway to keep lines printable.
            if (c < 0x20 || c == 0x7f) {
                out += "\\u00";
                append_hex_octet(out, c);
            } else {
                out += static_cast<char>(c);
            }
        }
        ++i;
    }
    out += '"';
}

// RFC 4648 §4, with padding.
void append_base64(std::string& out, std::string_view s) {
    constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const auto u = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(s[i])); };
    std::size_t i = 0;
    for (; i + 3 <= s.size(); i += 3) {
        const std::uint32_t v = u(i) << 16 | u(i + 1) << 8 | u(i + 2);
        out += alphabet[v >> 18 & 63];
        out += alphabet[v >> 12 & 63];
        out += alphabet[v >> 6 & 63];
        out += alphabet[v & 63];
    }
    if (const auto rest = s.size() - i; rest > 0) {
        const std::uint32_t v = u(i) << 16 | (rest == 2 ? u(i + 1) << 8 : 0);
        out += alphabet[v >> 18 & 63];
        out += alphabet[v >> 12 & 63];
        out += rest == 2 ? alphabet[v >> 6 & 63] : '=';
        out += '=';
    }
}

class json_logger final : public Logger {
public:
    explicit json_logger(std::ostream& out) : out_(out) {}

    void on_state(const connection_event& event) override {
        std::string line = begin(event.connection);
        line += ",\"event\":\"";
        line += state_name(event.state);
        line += '"';
        append_connection(line, event.connection);
        if (event.ec) {
            line += ",\"error\":{\"category\":";
            append_json_string(line, event.ec.category().name());
            line += ",\"value\":";
            line += std::to_string(event.ec.value());
            line += ",\"message\":";
            append_json_string(line, event.ec.message());
            line += '}';
        }
        if (!event.detail.empty()) {
            line += ",\"detail\":";
            append_json_string(line, event.detail);
        }
        if (!event.peer_fingerprint.empty()) {
            line += ",\"fingerprint\":";
            append_json_string(line, event.peer_fingerprint);
        }
        end(line);
    }

    void on_data(traffic_direction direction, const connection_info& connection, std::string_view bytes,
                 bool starts_chunk) override {
        std::string line = begin(connection);
        line += direction == traffic_direction::out ? ",\"direction\":\"out\"" : ",\"direction\":\"in\"";
        append_connection(line, connection);
        line += ",\"bytes\":";
        if (is_utf8(bytes)) {
            append_json_string(line, bytes);
        } else {
            line += '"';
            append_base64(line, bytes);
            line += "\",\"encoding\":\"base64\"";
        }
        line += starts_chunk ? ",\"starts_chunk\":true" : ",\"starts_chunk\":false";
        end(line);
    }

private:
    static std::string begin(const connection_info& c) {
        std::string line = "{\"time\":\"";
        append_utc_time(line, true);
        line += "\",\"connection\":";
        line += std::to_string(c.id);
        return line;
    }

    static void append_connection(std::string& line, const connection_info& c) {
        line += ",\"local\":";
        append_json_string(line, c.local);
        line += ",\"remote\":";
        append_json_string(line, c.remote);
        line += c.tls ? ",\"tls\":true" : ",\"tls\":false";
    }

    void end(std::string& line) {
        line += "}\n";
        out_.write(line.data(), static_cast<std::streamsize>(line.size()));
    }

    std::ostream& out_;
};


} // namespace

std::shared_ptr<Logger> make_json_logger(std::ostream& out) {
    return std::make_shared<json_logger>(out);
}

} // namespace msrp
