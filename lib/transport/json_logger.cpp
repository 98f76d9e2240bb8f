// The JSON-lines traffic log: one object per event, for tools.
// No Asio here: transports call in with what they saw.

#include <msrp/transport/traffic_log.hpp>

#include "log_format.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <ostream>
#include <string>

namespace msrp {
namespace {

using detail::append_utc_time;
using detail::is_utf8;
using detail::state_name;

// RFC 4648 §4, with padding.
std::string base64(std::string_view s) {
    constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const auto u = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(s[i])); };
    std::string out;
    out.reserve((s.size() + 2) / 3 * 4);
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
    return out;
}

class json_logger final : public Logger {
public:
    explicit json_logger(std::ostream& out) : out_(out) {}

    void on_state(const connection_event& event) override {
        auto line = begin(event.connection);
        line["event"] = state_name(event.state);
        if (event.ec)
            line["error"] = {{"category", event.ec.category().name()},
                             {"value", event.ec.value()},
                             {"message", event.ec.message()}};
        if (!event.detail.empty())
            line["detail"] = event.detail;
        if (!event.peer_fingerprint.empty())
            line["fingerprint"] = event.peer_fingerprint;
        write(line);
    }

    void on_data(traffic_direction direction, const connection_info& connection, std::string_view bytes,
                 bool starts_chunk) override {
        auto line = begin(connection);
        line["direction"] = direction == traffic_direction::out ? "out" : "in";
        // JSON strings are Unicode: bytes that are not UTF-8 (a binary body,
        // or a character cut between two calls) go as base64.
        if (is_utf8(bytes)) {
            line["bytes"] = bytes;
        } else {
            line["bytes"] = base64(bytes);
            line["encoding"] = "base64";
        }
        line["starts_chunk"] = starts_chunk;
        write(line);
    }

private:
    static nlohmann::ordered_json begin(const connection_info& c) {
        std::string time;
        append_utc_time(time, true);
        nlohmann::ordered_json line;
        line["time"] = time;
        line["connection"] = c.id;
        line["local"] = c.local;
        line["remote"] = c.remote;
        line["tls"] = c.tls;
        return line;
    }

    void write(const nlohmann::ordered_json& line) {
        // Text fields from the network (a detail, an error message) may hold
        // invalid UTF-8: replace it rather than lose the line.
        std::string text = line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
        // JSON allows a raw DEL in strings; escaped, a log shown on a
        // terminal holds no control character at all. It can only stand
        // inside a string, so the escape keeps the value.
        for (auto pos = text.find('\x7f'); pos != std::string::npos; pos = text.find('\x7f', pos))
            text.replace(pos, 1, "\\u007f");
        text += '\n';
        out_.write(text.data(), static_cast<std::streamsize>(text.size()));
    }

    std::ostream& out_;
};

} // namespace

std::shared_ptr<Logger> make_json_logger(std::ostream& out) {
    return std::make_shared<json_logger>(out);
}

} // namespace msrp
