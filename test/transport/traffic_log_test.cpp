// The traffic log: both loggers fed one realistic run of two connections.

#include <msrp/transport/traffic_log.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstddef>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

using msrp::connection_event;
using msrp::connection_info;
using msrp::connection_state;
using msrp::traffic_direction;

namespace {

// One call a transport makes: a state change, or bytes.
struct call {
    const connection_info* connection;
    std::optional<connection_state> state; // empty: on_data
    std::error_code ec;
    std::string detail;
    std::string fingerprint;
    traffic_direction direction = traffic_direction::out;
    std::string bytes;
    bool starts_chunk = false;
};

call state(const connection_info& c, connection_state s, std::error_code ec = {}, std::string detail = {},
           std::string fingerprint = {}) {
    return {&c, s, ec, std::move(detail), std::move(fingerprint), {}, {}, false};
}

call data(const connection_info& c, traffic_direction d, std::string bytes, bool starts_chunk) {
    return {&c, std::nullopt, {}, {}, {}, d, std::move(bytes), starts_chunk};
}

void play(msrp::Logger& log, const std::vector<call>& script) {
    for (const auto& k : script) {
        if (k.state)
            log.on_state(connection_event{*k.state, *k.connection, k.ec, k.detail, k.fingerprint});
        else
            log.on_data(k.direction, *k.connection, k.bytes, k.starts_chunk);
    }
}

constexpr auto out = traffic_direction::out;
constexpr auto in = traffic_direction::in;

const connection_info alice{3, "127.0.0.1:50000", "127.0.0.1:2855", true};
const connection_info carol{4, "[::1]:50001", "[::1]:2856", false};

const std::string fingerprint =
    "sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:3B:B1:12:FF:8A:A5:F7:6C:1E:29:80:AA";

const std::string send_head = "MSRP a786hjs2 SEND\r\n"
                              "To-Path: msrps://127.0.0.1:2855/s111;tcp\r\n"
                              "From-Path: msrps://127.0.0.1:50000/s222;tcp\r\n"
                              "Message-ID: 87652491\r\n"
                              "Byte-Range: 1-*/*\r\n"
                              "Content-Type: text/plain\r\n"
                              "\r\n";
// UTF-8 text: ü and — are multi-octet.
const std::string send_body_1 = "Grüße, Bob — ";
const std::string send_body_2 = "bist du da?\r\nZweite Zeile";
const std::string send_end = "\r\n-------a786hjs2$\r\n";

const std::string ok_200 = "MSRP a786hjs2 200 OK\r\n"
                           "To-Path: msrps://127.0.0.1:50000/s222;tcp\r\n"
                           "From-Path: msrps://127.0.0.1:2855/s111;tcp\r\n"
                           "-------a786hjs2$\r\n";

// Carol's incoming SEND; its head arrives split inside a CRLF.
const std::string carol_head_1 = "MSRP dkei38sd SEND\r\n"
                                 "To-Path: msrp://[::1]:50001/c1;tcp\r";
const std::string carol_head_2 = "\n"
                                 "From-Path: msrp://[::1]:2856/c2;tcp\r\n"
                                 "Message-ID: 4564dpWd\r\n"
                                 "Byte-Range: 1-*/*\r\n"
                                 "Content-Type: text/plain\r\n"
                                 "\r\nHi";
const std::string carol_body_rest = " there\r\n-------dkei38s";
const std::string carol_end = "d+\r\n";

const std::string png_head = "MSRP 4kXZb3 SEND\r\n"
                             "To-Path: msrps://127.0.0.1:2855/s111;tcp\r\n"
                             "From-Path: msrps://127.0.0.1:50000/s222;tcp\r\n"
                             "Message-ID: 7fFpsv\r\n"
                             "Byte-Range: 1-24/24\r\n"
                             "Content-Type: image/png\r\n"
                             "\r\n";
const std::string png_body{"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0\0\0\x01\0\x08\x06", 24};
const std::string png_end = "\r\n-------4kXZb3$\r\n";

constexpr std::size_t max_body_bytes = 64;
const std::string long_body = [] {
    std::string s;
    for (int i = 0; s.size() < 1000; ++i)
        s += "line " + std::to_string(i) + " of a long text body\r\n";
    return s.substr(0, 1000);
}();
const std::string long_chunk = "MSRP 9Hs2kQp SEND\r\n"
                               "To-Path: msrps://127.0.0.1:2855/s111;tcp\r\n"
                               "From-Path: msrps://127.0.0.1:50000/s222;tcp\r\n"
                               "Message-ID: 0t6Fe\r\n"
                               "Byte-Range: 1-1000/1000\r\n"
                               "Content-Type: text/plain\r\n"
                               "\r\n" +
                               long_body + "\r\n-------9Hs2kQp$\r\n";

// A REPORT Carol never finishes writing: the close must print it anyway.
const std::string carol_cut_report = "MSRP r8c1 REPORT\r\nTo-Path: msrp://[::1]:2856/c2;tcp\r\n";

const std::error_code reset{ECONNRESET, std::system_category()};

std::vector<call> the_script() {
    return {
        state(alice, connection_state::connecting),
        state(alice, connection_state::connected),
        state(alice, connection_state::tls_handshake, {}, {}, fingerprint),
        state(alice, connection_state::bound, {}, "To-Path and From-Path checked"),
        data(alice, out, send_head, true),
        data(alice, out, send_body_1, false),
        data(alice, out, send_body_2, false),
        data(alice, out, send_end, false),
        data(alice, in, ok_200, true),
        state(carol, connection_state::connecting),
        state(carol, connection_state::connected),
        state(carol, connection_state::bound),
        // Two connections interleave.
        data(carol, in, carol_head_1, true),
        data(alice, out, png_head, true),
        data(carol, in, carol_head_2, false),
        data(alice, out, png_body, false),
        data(carol, in, carol_body_rest, false),
        data(alice, out, png_end, false),
        data(carol, in, carol_end, false),
        data(alice, out, long_chunk, true),
        data(carol, out, carol_cut_report, true),
        state(carol, connection_state::closed),
        state(alice, connection_state::error, reset, "reading a chunk"),
        state(alice, connection_state::closed, reset),
    };
}

// The same run with every data call cut into one-octet calls.
std::vector<call> bytewise(const std::vector<call>& script) {
    std::vector<call> result;
    for (const auto& k : script) {
        if (k.state) {
            result.push_back(k);
            continue;
        }
        for (std::size_t i = 0; i < k.bytes.size(); ++i)
            result.push_back(data(*k.connection, k.direction, k.bytes.substr(i, 1), k.starts_chunk && i == 0));
    }
    return result;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream is{text};
    for (std::string line; std::getline(is, line);)
        lines.push_back(line);
    return lines;
}

bool is_digits(std::string_view s) {
    return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

// "2026-11-27 09:01:02.123456" (text) or "2026-11-27T09:01:02.123456Z" (JSON).
bool is_time(std::string_view s, char separator) {
    if (s.size() != 26)
        return false;
    return is_digits(s.substr(0, 4)) && s[4] == '-' && is_digits(s.substr(5, 2)) && s[7] == '-' &&
           is_digits(s.substr(8, 2)) && s[10] == separator && is_digits(s.substr(11, 2)) && s[13] == ':' &&
           is_digits(s.substr(14, 2)) && s[16] == ':' && is_digits(s.substr(17, 2)) && s[19] == '.' &&
           is_digits(s.substr(20, 6));
}

// A line of the text log: a state line ("---"), a block's first line
// (">>>"/"<<<") or a line inside a block.
std::string_view marker_of(std::string_view line) {
    if (line.size() < 31 || !is_time(line.substr(0, 26), ' ') || line[26] != ' ')
        return {};
    return line.substr(27, 3);
}

struct block {
    std::string first_line;
    std::vector<std::string> lines; // after the first
};

// Splits a text log into its blocks; state lines go to `states`. A block
// runs from its first line to its end-line or its incomplete note, and
// nothing else may start inside it.
std::vector<block> blocks_of(const std::string& text, std::vector<std::string>& states) {
    std::vector<block> blocks;
    bool open = false;
    for (const auto& line : lines_of(text)) {
        const auto marker = marker_of(line);
        if (!open) {
            if (marker == "---") {
                states.push_back(line);
                continue;
            }
            REQUIRE((marker == ">>>" || marker == "<<<"));
            blocks.push_back({line, {}});
            open = true;
            continue;
        }
        INFO(line);
        REQUIRE(marker.empty());
        blocks.back().lines.push_back(line);
        if (line.rfind("-------", 0) == 0 || line.rfind("[chunk incomplete", 0) == 0)
            open = false;
    }
    REQUIRE_FALSE(open);
    return blocks;
}

bool contains(const std::vector<std::string>& lines, std::string_view line) {
    for (const auto& l : lines)
        if (l == line)
            return true;
    return false;
}

std::string without_times(const std::string& text) {
    std::string result;
    for (const auto& line : lines_of(text))
        result += (marker_of(line).empty() ? line : line.substr(26)) + '\n';
    return result;
}

std::string text_log_of(const std::vector<call>& script, std::size_t limit = max_body_bytes) {
    std::ostringstream os;
    {
        auto log = msrp::make_text_logger(os, limit);
        play(*log, script);
    }
    return os.str();
}

std::string json_log_of(const std::vector<call>& script) {
    std::ostringstream os;
    auto log = msrp::make_json_logger(os);
    play(*log, script);
    return os.str();
}

std::string base64_decode(std::string_view s) {
    constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    REQUIRE(s.size() % 4 == 0);
    std::string result;
    unsigned bits = 0;
    int count = 0;
    for (const char c : s) {
        if (c == '=')
            break;
        const auto v = alphabet.find(c);
        REQUIRE(v != std::string_view::npos);
        bits = bits << 6 | static_cast<unsigned>(v);
        count += 6;
        if (count >= 8) {
            count -= 8;
            result += static_cast<char>(bits >> count & 0xff);
        }
    }
    return result;
}

void require_no_control_characters(const std::string& text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        INFO("octet " << i << ": " << static_cast<int>(c));
        REQUIRE((c == '\n' || (c >= 0x20 && c != 0x7f)));
    }
}

} // namespace

TEST_CASE("text log: one block per chunk, states one line each", "[traffic_log]") {
    const auto text = text_log_of(the_script());
    INFO(text);
    require_no_control_characters(text);

    std::vector<std::string> states;
    const auto blocks = blocks_of(text, states);

    // Blocks print when their end-line arrives (or at the close), so the
    // interleaved chunks come out whole.
    REQUIRE(blocks.size() == 6);
    const char* const first_lines[] = {
        " >>> #3 127.0.0.1:50000 -> 127.0.0.1:2855 (tls)", " <<< #3 127.0.0.1:50000 <- 127.0.0.1:2855 (tls)",
        " >>> #3 127.0.0.1:50000 -> 127.0.0.1:2855 (tls)", " <<< #4 [::1]:50001 <- [::1]:2856 (tcp)",
        " >>> #3 127.0.0.1:50000 -> 127.0.0.1:2855 (tls)", " >>> #4 [::1]:50001 -> [::1]:2856 (tcp)",
    };
    for (std::size_t i = 0; i < blocks.size(); ++i) {
        INFO("block " << i);
        REQUIRE(is_time(std::string_view{blocks[i].first_line}.substr(0, 26), ' '));
        CHECK(blocks[i].first_line.substr(26) == first_lines[i]);
    }

    SECTION("an outgoing SEND given as head, body pieces and end-line") {
        const std::vector<std::string> expected = {
            "MSRP a786hjs2 SEND",
            "To-Path: msrps://127.0.0.1:2855/s111;tcp",
            "From-Path: msrps://127.0.0.1:50000/s222;tcp",
            "Message-ID: 87652491",
            "Byte-Range: 1-*/*",
            "Content-Type: text/plain",
            "",
            "Grüße, Bob — bist du da?",
            "Zweite Zeile",
            "-------a786hjs2$",
        };
        CHECK(blocks[0].lines == expected);
    }
    SECTION("an incoming 200 in one call") {
        const std::vector<std::string> expected = {
            "MSRP a786hjs2 200 OK",
            "To-Path: msrps://127.0.0.1:50000/s222;tcp",
            "From-Path: msrps://127.0.0.1:2855/s111;tcp",
            "-------a786hjs2$",
        };
        CHECK(blocks[1].lines == expected);
    }
    SECTION("a binary body is summarised") {
        CHECK(blocks[2].lines.front() == "MSRP 4kXZb3 SEND");
        CHECK(contains(blocks[2].lines, "Content-Type: image/png"));
        CHECK(blocks[2].lines.at(blocks[2].lines.size() - 2) == "[binary, 24 octets]");
        CHECK(blocks[2].lines.back() == "-------4kXZb3$");
    }
    SECTION("a chunk whose head and end-line were split across calls") {
        const std::vector<std::string> expected = {
            "MSRP dkei38sd SEND",
            "To-Path: msrp://[::1]:50001/c1;tcp",
            "From-Path: msrp://[::1]:2856/c2;tcp",
            "Message-ID: 4564dpWd",
            "Byte-Range: 1-*/*",
            "Content-Type: text/plain",
            "",
            "Hi there",
            "-------dkei38sd+",
        };
        CHECK(blocks[3].lines == expected);
    }
    SECTION("a body longer than max_body_bytes is cut with a count") {
        // 64 octets: two 28-octet lines and 8 of the third.
        const std::vector<std::string> expected = {
            "MSRP 9Hs2kQp SEND",
            "To-Path: msrps://127.0.0.1:2855/s111;tcp",
            "From-Path: msrps://127.0.0.1:50000/s222;tcp",
            "Message-ID: 0t6Fe",
            "Byte-Range: 1-1000/1000",
            "Content-Type: text/plain",
            "",
            "line 0 of a long text body",
            "line 1 of a long text body",
            "line 2 o",
            "[... " + std::to_string(long_body.size() - max_body_bytes) + " octets not shown ...]",
            "-------9Hs2kQp$",
        };
        CHECK(blocks[4].lines == expected);
    }
    SECTION("a chunk open at the close is printed before the close, marked incomplete") {
        const std::vector<std::string> expected = {
            "MSRP r8c1 REPORT",
            "To-Path: msrp://[::1]:2856/c2;tcp",
            "[chunk incomplete: no end-line seen]",
        };
        CHECK(blocks[5].lines == expected);
        const auto block_at = text.find(" >>> #4 ");
        const auto closed_at = text.find(" --- #4 closed");
        REQUIRE(closed_at != std::string::npos);
        CHECK(block_at < closed_at);
    }
    SECTION("state lines") {
        REQUIRE(states.size() == 10);
        for (const auto& line : states)
            REQUIRE(is_time(std::string_view{line}.substr(0, 26), ' '));
        CHECK(states[0].substr(26) == " --- #3 connecting 127.0.0.1:50000 -> 127.0.0.1:2855 (tls)");
        CHECK(states[2].substr(26) ==
              " --- #3 tls_handshake 127.0.0.1:50000 -> 127.0.0.1:2855 (tls) fingerprint: " + fingerprint);
        CHECK(states[3].substr(26) ==
              " --- #3 bound 127.0.0.1:50000 -> 127.0.0.1:2855 (tls) detail: To-Path and From-Path checked");
        CHECK(states[7].substr(26) == " --- #4 closed [::1]:50001 -> [::1]:2856 (tcp)");
        const auto error = " error: " + reset.message() + " [system " + std::to_string(ECONNRESET) + "]";
        CHECK(states[8].substr(26) ==
              " --- #3 error 127.0.0.1:50000 -> 127.0.0.1:2855 (tls)" + error + " detail: reading a chunk");
        CHECK(states[9].substr(26) == " --- #3 closed 127.0.0.1:50000 -> 127.0.0.1:2855 (tls)" + error);
    }
}

TEST_CASE("text log: the same whatever the calls' split", "[traffic_log]") {
    const auto whole = without_times(text_log_of(the_script()));
    const auto octets = without_times(text_log_of(bytewise(the_script())));
    CHECK(octets == whole);
}

TEST_CASE("text log: escapes what a terminal would obey", "[traffic_log]") {
    const std::string head = std::string{"MSRP x1y2z3 SEND\r\n"
                                         "To-Path: msrp://h:1/a;tcp\x1b[2J\r\n"
                                         "From-Path: msrp://h:2/b;tcp\tz\x7f\r\n"
                                         "Message-ID: \xff\xfe\xc2\x9b"} +
                             "\r\nContent-Type: text/plain\r\n\r\n";
    const std::string body = "a\tb\rc\x1b"
                             "d\r\nline 2\n";
    const auto text =
        text_log_of({data(alice, in, head, true), data(alice, in, body + "\r\n-------x1y2z3$\r\n", false)});
    INFO(text);
    require_no_control_characters(text);
    std::vector<std::string> states;
    const auto blocks = blocks_of(text, states);
    REQUIRE(blocks.size() == 1);
    const std::vector<std::string> expected = {
        "MSRP x1y2z3 SEND",
        "To-Path: msrp://h:1/a;tcp\\x1b[2J",
        "From-Path: msrp://h:2/b;tcp\\tz\\x7f",
        "Message-ID: \\xff\\xfe\\u009b",
        "Content-Type: text/plain",
        "",
        "a\\tb\\rc\\x1bd",
        "line 2",
        "",
        "-------x1y2z3$",
    };
    CHECK(blocks[0].lines == expected);
}

TEST_CASE("text log: a cut never splits a character", "[traffic_log]") {
    // "é" is two octets: a limit of 5 shows two of them and counts the
    // half of the third it kept among the 4 octets not shown.
    const std::string head = "MSRP k3l4m5 SEND\r\nContent-Type: text/plain\r\n\r\n";
    const auto text = text_log_of({data(alice, out, head, true), data(alice, out, "éééé", false),
                                   data(alice, out, "\r\n-------k3l4m5$\r\n", false)},
                                  5);
    INFO(text);
    std::vector<std::string> states;
    const auto blocks = blocks_of(text, states);
    REQUIRE(blocks.size() == 1);
    const std::vector<std::string> expected = {
        "MSRP k3l4m5 SEND", "Content-Type: text/plain", "", "éé", "[... 4 octets not shown ...]", "-------k3l4m5$",
    };
    CHECK(blocks[0].lines == expected);
}

TEST_CASE("text log: empty bodies, bodiless chunks, unknown starts", "[traffic_log]") {
    const auto text = text_log_of({
        data(alice, out, "MSRP e1e2e3 SEND\r\nContent-Type: text/plain\r\n\r\n\r\n-------e1e2e3$\r\n", true),
        data(alice, in, "rest of something\r\n", false),
        data(alice, out, "MSRP b1b2b3 SEND\r\nMessage-ID: 1\r\n-------b1b2b3$\r\n", true),
        state(alice, connection_state::closed),
    });
    INFO(text);
    std::vector<std::string> states;
    const auto blocks = blocks_of(text, states);
    REQUIRE(blocks.size() == 3);
    CHECK(blocks[0].lines ==
          std::vector<std::string>{"MSRP e1e2e3 SEND", "Content-Type: text/plain", "", "", "-------e1e2e3$"});
    CHECK(blocks[1].lines == std::vector<std::string>{"MSRP b1b2b3 SEND", "Message-ID: 1", "-------b1b2b3$"});
    CHECK(blocks[2].first_line.find(" <<< #3 ") != std::string::npos);
    CHECK(blocks[2].first_line.find("[continues a chunk whose start was not logged]") != std::string::npos);
    CHECK(blocks[2].lines ==
          std::vector<std::string>{"rest of something", "[chunk incomplete: no end-line seen]"});
    CHECK(states.size() == 1);
}

TEST_CASE("text log: heads are bounded, partial lines kept", "[traffic_log]") {
    const std::string long_value(100 * 1024, 'a');
    const auto text = text_log_of({
        data(alice, in, "MSRP t1t2t3 SEND\r\nX-Long: " + long_value + "\r\nMessage-ID: 1\r\n-------t1t2t3$\r\n", true),
        data(carol, in, "MSRP p1p2p3 SEND\r\nTo-Pa", true),
        state(carol, connection_state::closed),
    });
    CHECK(text.size() < 66 * 1024);
    std::vector<std::string> states;
    const auto blocks = blocks_of(text, states);
    REQUIRE(blocks.size() == 2);
    const auto& lines = blocks[0].lines;
    REQUIRE(lines.size() == 4);
    CHECK(lines[0] == "MSRP t1t2t3 SEND");
    CHECK(lines[1].rfind("X-Long: aaaa", 0) == 0);
    const auto note_at = lines[1].find(" [... ");
    REQUIRE(note_at != std::string::npos);
    const auto shown = note_at - std::string_view{"X-Long: "}.size();
    CHECK(lines[1].substr(note_at) ==
          " [... " + std::to_string(long_value.size() - shown) + " octets not shown ...]");
    CHECK(lines[2] == "[... 13 octets not shown ...]");
    CHECK(lines[3] == "-------t1t2t3$");
    CHECK(blocks[1].lines ==
          std::vector<std::string>{"MSRP p1p2p3 SEND", "To-Pa", "[chunk incomplete: no end-line seen]"});
}

TEST_CASE("json log: one parseable object per call", "[traffic_log]") {
    const auto script = the_script();
    const auto text = json_log_of(script);
    REQUIRE(!text.empty());
    REQUIRE(text.back() == '\n');
    const auto lines = lines_of(text);
    REQUIRE(lines.size() == script.size());

    for (std::size_t i = 0; i < script.size(); ++i) {
        const auto& k = script[i];
        INFO("line " << i << ": " << lines[i]);
        require_no_control_characters(lines[i]);
        const auto j = nlohmann::json::parse(lines[i]);
        REQUIRE(j.is_object());
        const auto time = j.at("time").get<std::string>();
        REQUIRE(time.size() == 27);
        CHECK(is_time(std::string_view{time}.substr(0, 26), 'T'));
        CHECK(time.back() == 'Z');
        CHECK(j.at("connection") == k.connection->id);
        CHECK(j.at("local") == k.connection->local);
        CHECK(j.at("remote") == k.connection->remote);
        CHECK(j.at("tls") == k.connection->tls);
        if (k.state) {
            CHECK_FALSE(j.contains("direction"));
            CHECK_FALSE(j.contains("bytes"));
            CHECK_FALSE(j.contains("starts_chunk"));
            const char* const names[] = {"connecting", "connected", "tls_handshake", "bound", "closed", "error"};
            CHECK(j.at("event") == names[static_cast<int>(*k.state)]);
            if (k.ec) {
                const auto& e = j.at("error");
                CHECK(e.at("category") == "system");
                CHECK(e.at("value") == ECONNRESET);
                CHECK(e.at("message") == k.ec.message());
            } else {
                CHECK_FALSE(j.contains("error"));
            }
            if (k.detail.empty())
                CHECK_FALSE(j.contains("detail"));
            else
                CHECK(j.at("detail") == k.detail);
            if (k.fingerprint.empty())
                CHECK_FALSE(j.contains("fingerprint"));
            else
                CHECK(j.at("fingerprint") == k.fingerprint);
        } else {
            CHECK_FALSE(j.contains("event"));
            CHECK(j.at("direction") == (k.direction == out ? "out" : "in"));
            CHECK(j.at("starts_chunk") == k.starts_chunk);
            const auto bytes = j.at("bytes").get<std::string>();
            if (j.contains("encoding")) {
                CHECK(j.at("encoding") == "base64");
                CHECK(base64_decode(bytes) == k.bytes);
            } else {
                CHECK(bytes == k.bytes);
            }
        }
    }

    SECTION("text verbatim, binary as base64") {
        const auto line_of = [&](const std::string& bytes) {
            for (std::size_t i = 0; i < script.size(); ++i)
                if (!script[i].state && script[i].bytes == bytes)
                    return nlohmann::json::parse(lines[i]);
            FAIL("no such call");
            return nlohmann::json{};
        };
        const auto body = line_of(send_body_1);
        CHECK(body.at("bytes") == "Grüße, Bob — ");
        CHECK_FALSE(body.contains("encoding"));
        const auto head = line_of(send_head);
        CHECK(head.at("bytes") == send_head);
        CHECK_FALSE(head.contains("encoding"));
        const auto png = line_of(png_body);
        CHECK(png.at("encoding") == "base64");
        CHECK(base64_decode(png.at("bytes").get<std::string>()) == png_body);
    }
}

TEST_CASE("json log: a character split across calls", "[traffic_log]") {
    // Each call is judged alone; the pieces still join to the original.
    const std::string text = "Grüße";
    const auto cut = text.find("\xbc"); // inside ü
    const auto log =
        json_log_of({data(alice, in, text.substr(0, cut), false), data(alice, in, text.substr(cut), false)});
    const auto lines = lines_of(log);
    REQUIRE(lines.size() == 2);
    std::string joined;
    for (const auto& line : lines) {
        const auto j = nlohmann::json::parse(line);
        CHECK(j.at("encoding") == "base64");
        joined += base64_decode(j.at("bytes").get<std::string>());
    }
    CHECK(joined == text);
}

TEST_CASE("json log: strings that are not UTF-8 still make valid JSON", "[traffic_log]") {
    const connection_info odd{9, "h\xff:1", "h\"\\:2", false};
    const auto log = json_log_of({state(odd, connection_state::error, {}, "bad \x01 detail\n"),
                                  data(odd, out, std::string{"\0\x1f\x7f\"\\", 5}, true),
                                  data(odd, out, "", false)});
    const auto lines = lines_of(log);
    REQUIRE(lines.size() == 3);
    const auto e = nlohmann::json::parse(lines[0]);
    CHECK(e.at("local") == "h\xef\xbf\xbd:1"); // U+FFFD
    CHECK(e.at("remote") == "h\"\\:2");
    CHECK(e.at("detail") == "bad \x01 detail\n");
    const auto d = nlohmann::json::parse(lines[1]);
    CHECK(d.at("bytes") == std::string{"\0\x1f\x7f\"\\", 5});
    CHECK_FALSE(d.contains("encoding"));
    const auto empty = nlohmann::json::parse(lines[2]);
    CHECK(empty.at("bytes") == "");
    for (const auto& line : lines)
        require_no_control_characters(line);
}
