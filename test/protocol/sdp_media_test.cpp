// SDP media descriptions for MSRP: the RFC 4975/5547 and hand-made vectors,
// round trips, LF-only input, every error, limits.

#include "../support/vectors.hpp"

#include <msrp/protocol/error.hpp>
#include <msrp/protocol/sdp_media.hpp>
#include <msrp/protocol/setup_role.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

using msrp::errc;
using msrp::SDPMedia;
using msrp::SDPSession;
namespace t = msrp::test;

namespace {

using strings = std::vector<std::string>;

std::string vector(const std::string& relative) { return t::read_file(t::vectors_dir() + "/" + relative); }

std::string to_lf(const std::string& s) {
    std::string out;
    for (char c : s)
        if (c != '\r')
            out += c;
    return out;
}

SDPSession parse_ok(std::string_view text, const msrp::sdp_limits& limits = {}) {
    SDPSession s;
    const auto ec = msrp::parse_sdp(text, s, limits);
    INFO(text);
    INFO(ec.message());
    REQUIRE_FALSE(ec);
    return s;
}

SDPMedia parse_media_ok(std::string_view text, const msrp::sdp_limits& limits = {}) {
    SDPMedia m;
    const auto ec = msrp::parse_sdp_media(text, m, limits);
    INFO(text);
    INFO(ec.message());
    REQUIRE_FALSE(ec);
    return m;
}

std::error_code parse_error(std::string_view text, const msrp::sdp_limits& limits = {}) {
    SDPSession s;
    s.session_lines.push_back("untouched");
    const auto ec = msrp::parse_sdp(text, s, limits);
    // `out` is only written on success.
    if (ec)
        CHECK(s.session_lines == strings{"untouched"});
    return ec;
}

std::error_code media_error(std::string_view text, const msrp::sdp_limits& limits = {}) {
    SDPMedia m;
    return msrp::parse_sdp_media(text, m, limits);
}

// Every line ends in CRLF, and there are no other CRs or LFs.
bool crlf_only(std::string_view text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n'))
            return false;
        if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r'))
            return false;
    }
    return text.empty() || text.substr(text.size() - 2) == "\r\n";
}

void check_round_trip(const SDPSession& s) {
    const std::string text = msrp::format_sdp(s);
    CHECK(crlf_only(text));
    const SDPSession again = parse_ok(text);
    CHECK(again == s);
    CHECK(msrp::format_sdp(again) == text);
    for (const auto& m : s.media) {
        const std::string section = msrp::format_sdp_media(m);
        CHECK(crlf_only(section));
        CHECK(parse_media_ok(section) == m);
        CHECK(text.find(section) != std::string::npos);
    }
}

std::string path_text(const msrp::Path& p) { return msrp::format_path(p); }

// The vectors of kind "sdp" of one INDEX.json, with their directory prefix.
std::vector<std::pair<std::string, nlohmann::json>> sdp_entries(const std::string& dir) {
    std::vector<std::pair<std::string, nlohmann::json>> out;
    for (const auto& e : t::load_index(dir + "INDEX.json")) {
        const auto file = e.at("file").get<std::string>();
        if (file.size() > 4 && file.substr(file.size() - 4) == ".sdp")
            out.emplace_back(dir + file, e);
    }
    return out;
}

} // namespace

TEST_CASE("sdp: every SDP vector parses to what its INDEX.json records", "[sdp]") {
    std::size_t count = 0;
    for (const std::string dir : {"", "valid-edge/"}) {
        for (const auto& [file, entry] : sdp_entries(dir)) {
            INFO(file);
            ++count;
            const std::string text = vector(file);
            const SDPSession s = parse_ok(text);

            // What the recorded lines say: session lines (without c=), the
            // m= line, the media-level attributes.
            strings session, m_fields, unknown_attributes;
            std::string session_c;
            std::map<std::string, std::string> attrs; // name -> first value
            bool in_media = false;
            for (const auto& line : entry.at("lines")) {
                const auto type = line[0].get<std::string>();
                const auto value = line[1].get<std::string>();
                if (type == "m") {
                    in_media = true;
                    std::istringstream in(value);
                    for (std::string f; in >> f;)
                        m_fields.push_back(f);
                } else if (!in_media && type == "c") {
                    session_c = value;
                } else if (!in_media) {
                    session.push_back(type + "=" + value);
                } else if (type == "a") {
                    const auto colon = value.find(':');
                    const auto name = value.substr(0, colon);
                    attrs.emplace(name, colon == std::string::npos ? "" : value.substr(colon + 1));
                    static const strings known{"path",    "accept-types", "accept-wrapped-types", "max-size",
                                               "setup",   "connection",   "fingerprint",          "msrp-cema",
                                               "sendrecv", "sendonly",    "recvonly",             "inactive"};
                    if (std::find(known.begin(), known.end(), name) == known.end())
                        unknown_attributes.push_back(value);
                }
            }
            auto attribute = [&](const char* name) { return attrs.count(name) ? attrs.at(name) : std::string(); };

            CHECK(s.session_lines == session);
            REQUIRE(s.connection_data);
            CHECK("IN IP4 " + s.connection_data->address == session_c);
            CHECK(s.other_media.empty());

            REQUIRE(s.media.size() == 1);
            const SDPMedia& m = s.media[0];
            REQUIRE(m_fields.size() == 4);
            CHECK(m.media == m_fields[0]);
            CHECK(std::to_string(m.port) == m_fields[1]);
            CHECK(m.transport == m_fields[2]);
            CHECK(m.formats == strings{m_fields[3]});
            if (entry.contains("media")) {
                const auto& em = entry.at("media").at(0);
                CHECK(m.port == em.at("port").get<int>());
                CHECK(m.formats == em.at("fmt").get<strings>());
            }
            CHECK(!m.connection_data); // every vector has c= at session level
            REQUIRE(s.connection_for(m) == &*s.connection_data);

            CHECK(msrp::format_path(m.path) == attribute("path"));
            if (entry.contains("path")) {
                strings uris;
                for (const auto& u : m.path)
                    uris.push_back(u.to_string());
                CHECK(uris == entry.at("path").get<strings>());
            }
            auto joined = [](const strings& v) {
                std::string out;
                for (const auto& x : v)
                    out += (out.empty() ? "" : " ") + x;
                return out;
            };
            CHECK(joined(m.accept_types) == attribute("accept-types"));
            CHECK(joined(m.accept_wrapped_types) == attribute("accept-wrapped-types"));
            CHECK((m.max_size ? std::to_string(*m.max_size) : "") == attribute("max-size"));
            CHECK(m.setup == attribute("setup"));
            CHECK(m.connection == attribute("connection"));
            CHECK(m.fingerprint == attribute("fingerprint"));
            CHECK(s.fingerprint_for(m) == m.fingerprint);
            CHECK(m.msrp_cema == (attrs.count("msrp-cema") == 1));
            CHECK(m.uses_tls() == (m.transport == "TCP/TLS/MSRP"));
            std::string direction;
            for (const char* d : {"sendrecv", "sendonly", "recvonly", "inactive"})
                if (attrs.count(d))
                    direction = d;
            CHECK(m.direction == direction);

            // Unknown attributes are kept verbatim and in order.
            strings kept;
            for (const auto& a : m.attributes)
                kept.push_back(a.has_value ? a.name + ":" + a.value : a.name);
            CHECK(kept == unknown_attributes);

            check_round_trip(s);

            // LF-only line ends give the same description.
            CHECK(parse_ok(to_lf(text)) == s);

            // The section alone, from its m= line.
            CHECK(parse_media_ok(text.substr(text.find("m="))) == m);
        }
    }
    CHECK(count == 19);
}

TEST_CASE("sdp: the invalid vectors hold no SDP; any added must fail", "[sdp]") {
    for (const auto& [file, entry] : sdp_entries("invalid/")) {
        INFO(file);
        CHECK(parse_error(vector(file)));
    }
}

TEST_CASE("sdp: RFC 4975 vectors format back byte for byte", "[sdp]") {
    // Their lines are in the order format_sdp writes (c= before t=,
    // accept-types before path before fingerprint).
    for (const char* file : {"rfc4975-s4-fig1-offer.sdp", "rfc4975-s4-fig1-answer.sdp", "rfc4975-s8.2-fig7-offer.sdp",
                             "rfc4975-s8.7-fig9-offer.sdp", "rfc4975-s8.7-fig10-answer.sdp",
                             "rfc4975-s11.1-step1-offer.sdp", "rfc4975-s11.1-step2-answer.sdp",
                             "rfc4975-s14.4-fig19-fingerprint.sdp"}) {
        INFO(file);
        const std::string text = vector(file);
        CHECK(msrp::format_sdp(parse_ok(text)) == text);
        CHECK(msrp::format_sdp(parse_ok(to_lf(text))) == text);
    }
}

TEST_CASE("sdp: RFC 4975 §4 and §8.7 offers", "[sdp]") {
    const SDPSession fig1 = parse_ok(vector("rfc4975-s4-fig1-offer.sdp"));
    CHECK(fig1.session_lines.empty());
    CHECK(*fig1.connection_data == msrp::SDPConnection{"IN", "IP4", "atlanta.example.com"});
    const SDPMedia& m = fig1.media.at(0);
    CHECK(m.port == 7654);
    CHECK_FALSE(m.uses_tls());
    CHECK(m.accept_types == strings{"text/plain"});
    REQUIRE(m.path.size() == 1);
    CHECK(m.path[0].host == "atlanta.example.com");
    CHECK(m.path[0].port == 7654);
    CHECK(m.path[0].session_id == "jshA7weztas");
    CHECK(m.setup.empty());
    CHECK(m.attributes.empty());

    const SDPSession fig9 = parse_ok(vector("rfc4975-s8.7-fig9-offer.sdp"));
    CHECK(fig9.session_lines == strings{"v=0", "o=usera 2890844526 2890844527 IN IP4 alice.example.com", "s= -", "t=0 0"});
    CHECK(fig9.media.at(0).accept_types == strings{"message/cpim", "text/plain", "text/html"});
    CHECK(path_text(fig9.media.at(0).path) == "msrp://alice.example.com:7394/2s93i93idj;tcp");
}

TEST_CASE("sdp: RFC 4975 §14.4 fingerprint over TLS", "[sdp]") {
    const SDPMedia m = parse_ok(vector("rfc4975-s14.4-fig19-fingerprint.sdp")).media.at(0);
    CHECK(m.uses_tls());
    CHECK(m.transport == "TCP/TLS/MSRP");
    CHECK(m.fingerprint == "SHA-1 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB");
    REQUIRE(m.path.size() == 1);
    CHECK(m.path[0].use_tls);
}

TEST_CASE("sdp: RFC 5547 file transfer keeps its attributes in order", "[sdp]") {
    const SDPSession s = parse_ok(vector("rfc5547-s6-fig2-file-transfer.sdp"));
    CHECK(s.session_lines == strings{"v=0", "o=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com", "s=", "t=0 0"});
    const SDPMedia& m = s.media.at(0);
    CHECK(m.other_lines == strings{"i=This is my latest picture"});
    CHECK(m.direction == "sendonly");
    CHECK(m.accept_types == strings{"message/cpim"});
    CHECK(m.accept_wrapped_types == strings{"*"});
    REQUIRE(m.attributes.size() == 6);
    CHECK(m.attributes[0] == msrp::SDPAttribute{"file-selector",
                                                "name:\"My cool picture.jpg\" type:image/jpeg size:32349 "
                                                "hash:sha-1:72:24:5F:E8:65:3D:DA:F3:71:36:2F:86:D4:71:91:3E:E4:A2:CE:2E",
                                                true});
    CHECK(m.attributes[1] == msrp::SDPAttribute{"file-transfer-id", "vBnG916bdberum2fFEABR1FR3ExZMUrd", true});
    CHECK(m.attributes[2] == msrp::SDPAttribute{"file-disposition", "attachment", true});
    CHECK(m.attributes[3] == msrp::SDPAttribute{"file-date", "creation:\"Mon, 15 May 2006 15:01:31 +0300\"", true});
    CHECK(m.attributes[4] == msrp::SDPAttribute{"file-icon", "cid:id2@alicepc.example.com", true});
    CHECK(m.attributes[5] == msrp::SDPAttribute{"file-range", "1-32349", true});

    // RFC 5547 §9.3: a capability description, port 0 and no a=path.
    const SDPMedia caps = parse_ok(vector("rfc5547-s9.3-fig24-capabilities.sdp")).media.at(0);
    CHECK(caps.port == 0);
    CHECK(caps.path.empty());
    CHECK(caps.max_size == 20000u);
    REQUIRE(caps.attributes.size() == 1);
    CHECK(caps.attributes[0] == msrp::SDPAttribute{"file-selector", "", false});
    CHECK(msrp::format_sdp_media(caps) == "m=message 0 TCP/MSRP *\r\na=accept-types:message/cpim\r\n"
                                          "a=accept-wrapped-types:*\r\na=max-size:20000\r\na=file-selector\r\n");
}

TEST_CASE("sdp: RFC 6135 setup and RFC 6714 CEMA (hand-made vectors)", "[sdp]") {
    const SDPMedia offer = parse_ok(vector("valid-edge/edge22-rfc6135-offer-actpass.sdp")).media.at(0);
    const SDPMedia answer = parse_ok(vector("valid-edge/edge23-rfc6135-answer-active-port9.sdp")).media.at(0);
    CHECK(offer.setup == "actpass");
    CHECK(answer.setup == "active");
    CHECK(answer.port == 9);
    msrp::setup_role role{};
    REQUIRE_FALSE(msrp::negotiate_setup(true, offer.setup, answer.setup, role));
    CHECK(role == msrp::setup_role::passive);

    const SDPSession cema = parse_ok(vector("valid-edge/edge24-rfc6714-cema-offer-via-relay.sdp"));
    const SDPMedia& m = cema.media.at(0);
    CHECK(m.msrp_cema);
    CHECK(m.uses_tls());
    CHECK(m.port == 2855);
    REQUIRE(m.path.size() == 2);
    CHECK(m.path[0].host == "relay.example.com");
    CHECK(m.path[1].host == "alice.example.com");
    CHECK(cema.connection_for(m)->address == "relay.example.com");
    CHECK(msrp::format_sdp_media(m) == "m=message 2855 TCP/TLS/MSRP *\r\n"
                                       "a=accept-types:message/cpim text/plain\r\n"
                                       "a=path:msrps://relay.example.com:2855/jui787s2f;tcp "
                                       "msrps://alice.example.com:9892/98cjs;tcp\r\n"
                                       "a=setup:actpass\r\na=msrp-cema\r\n");
}

TEST_CASE("sdp: every MSRP attribute, media-level c=, other media", "[sdp]") {
    const std::string text = "v=0\n"
                             "o=- 1 1 IN IP6 ::1\n"
                             "s=-\n"
                             "a=fingerprint:sha-256 ab:CD:01\n"
                             "c=IN IP6 ::1\n"
                             "t=0 0\n"
                             "m=audio 49170 RTP/AVP 0\n"
                             "c=IN IP4 192.0.2.1\n"
                             "a=rtpmap:0 PCMU/8000\n"
                             "m=message  7394   TCP/TLS/MSRP * \n"
                             "a=recvonly\n"
                             "b=AS:64\n"
                             "i=chat\n"
                             "c=IN IP4 192.0.2.2\n"
                             "a=chatroom:nickname\n"
                             "a=path:msrps://192.0.2.2:7394/s1;tcp\n"
                             "a=max-size:0042\n"
                             "a=accept-types:text/plain  text/*\t*\n"
                             "a=accept-wrapped-types:text/plain;charset=UTF-8\n"
                             "a=setup:passive\n"
                             "a=connection:existing\n"
                             "a=fingerprint:SHA-256 AA:BB\n"
                             "a=fingerprint:SHA-1 CC:DD\n"
                             "a=msrp-cema\n"
                             "a=x:\n"
                             "m=video 0 RTP/AVP 31\n";
    const SDPSession s = parse_ok(text);
    CHECK(s.session_lines == strings{"v=0", "o=- 1 1 IN IP6 ::1", "s=-", "a=fingerprint:sha-256 ab:CD:01", "t=0 0"});
    CHECK(*s.connection_data == msrp::SDPConnection{"IN", "IP6", "::1"});
    REQUIRE(s.other_media.size() == 2);
    CHECK(s.other_media[0] ==
          msrp::SDPOtherMedia{0, {"m=audio 49170 RTP/AVP 0", "c=IN IP4 192.0.2.1", "a=rtpmap:0 PCMU/8000"}});
    CHECK(s.other_media[1] == msrp::SDPOtherMedia{2, {"m=video 0 RTP/AVP 31"}});
    REQUIRE(s.media.size() == 1);
    const SDPMedia& m = s.media[0];
    CHECK(m.port == 7394);
    CHECK(m.formats == strings{"*"});
    CHECK(m.direction == "recvonly");
    CHECK(m.other_lines == strings{"i=chat", "b=AS:64"});
    CHECK(*m.connection_data == msrp::SDPConnection{"IN", "IP4", "192.0.2.2"});
    CHECK(s.connection_for(m) == &*m.connection_data);
    CHECK(m.max_size == 42u);
    CHECK(m.accept_types == strings{"text/plain", "text/*", "*"});
    CHECK(m.accept_wrapped_types == strings{"text/plain;charset=UTF-8"});
    CHECK(m.setup == "passive");
    CHECK(m.connection == "existing");
    CHECK(m.fingerprint == "SHA-256 AA:BB");
    CHECK(s.fingerprint_for(m) == "SHA-256 AA:BB");
    CHECK(m.msrp_cema);
    CHECK(m.attributes == std::vector<msrp::SDPAttribute>{{"chatroom", "nickname", true},
                                                          {"fingerprint", "SHA-1 CC:DD", true},
                                                          {"x", "", true}});
    check_round_trip(s);

    CHECK(msrp::format_sdp(s) == "v=0\r\n"
                                 "o=- 1 1 IN IP6 ::1\r\n"
                                 "s=-\r\n"
                                 "c=IN IP6 ::1\r\n" // before the first of b t r z k a
                                 "a=fingerprint:sha-256 ab:CD:01\r\n"
                                 "t=0 0\r\n"
                                 "m=audio 49170 RTP/AVP 0\r\n"
                                 "c=IN IP4 192.0.2.1\r\n"
                                 "a=rtpmap:0 PCMU/8000\r\n"
                                 "m=message 7394 TCP/TLS/MSRP *\r\n"
                                 "i=chat\r\n"
                                 "c=IN IP4 192.0.2.2\r\n"
                                 "b=AS:64\r\n"
                                 "a=accept-types:text/plain text/* *\r\n"
                                 "a=accept-wrapped-types:text/plain;charset=UTF-8\r\n"
                                 "a=max-size:42\r\n"
                                 "a=path:msrps://192.0.2.2:7394/s1;tcp\r\n"
                                 "a=setup:passive\r\n"
                                 "a=connection:existing\r\n"
                                 "a=fingerprint:SHA-256 AA:BB\r\n"
                                 "a=msrp-cema\r\n"
                                 "a=recvonly\r\n"
                                 "a=chatroom:nickname\r\n"
                                 "a=fingerprint:SHA-1 CC:DD\r\n"
                                 "a=x:\r\n"
                                 "m=video 0 RTP/AVP 31\r\n");

    // The session-level fingerprint applies when the media has none.
    SDPSession no_fp = s;
    no_fp.media[0].fingerprint.clear();
    CHECK(no_fp.fingerprint_for(no_fp.media[0]) == "sha-256 ab:CD:01");
    no_fp.media[0].connection_data.reset();
    CHECK(no_fp.connection_for(no_fp.media[0]) == &*no_fp.connection_data);
    no_fp.connection_data.reset();
    CHECK(no_fp.connection_for(no_fp.media[0]) == nullptr);
}

TEST_CASE("sdp: blank lines, UTF-8 and case leniencies", "[sdp]") {
    const SDPSession s = parse_ok("\r\nv=0\r\n\r\ns=Caf\xc3\xa9\tchat\r\nm=MESSAGE 1 tcp/tls/msrp *\r\n"
                                  "a=path:msrps://h.example:1/x;tcp\r\n\r\n\r\n");
    CHECK(s.session_lines == strings{"v=0", "s=Caf\xc3\xa9\tchat"});
    REQUIRE(s.media.size() == 1);
    CHECK(s.media[0].media == "MESSAGE");
    CHECK(s.media[0].transport == "tcp/tls/msrp");
    CHECK(s.media[0].uses_tls());
    check_round_trip(s);
    // No final line end.
    CHECK(parse_media_ok("m=message 0 TCP/MSRP *\na=sendonly").direction == "sendonly");
    // Several fmts.
    CHECK(parse_media_ok("m=message 0 TCP/MSRP * x-y").formats == strings{"*", "x-y"});
    // An empty description has no media.
    CHECK(parse_ok("") == SDPSession{});
}

TEST_CASE("sdp: malformed input gives its specific error", "[sdp]") {
    const std::string path = "a=path:msrp://h.example:7/s;tcp\r\n";
    struct row {
        std::string text;
        errc expected;
    };
    const std::vector<row> media_rows = {
        // bad_sdp_line
        {"m=message 7 TCP/MSRP *\r\n" + path + "a=x\x01y\r\n", errc::bad_sdp_line},
        {"m=message 7 TCP/MSRP *\r\n" + path + std::string("a=x\0y\r\n", 7), errc::bad_sdp_line},
        {"m=message 7 TCP/MSRP *\r\n" + path + "a=x\ry\r\n", errc::bad_sdp_line},
        {"m=message 7 TCP/MSRP *\r\n" + path + "a=x\r\r\n", errc::bad_sdp_line},
        {"m=message 7 TCP/MSRP *\r\n" + path + "a=\xc3(\r\n", errc::bad_sdp_line},        // bad UTF-8
        {"m=message 7 TCP/MSRP *\r\n" + path + "a=\xed\xa0\x80\r\n", errc::bad_sdp_line}, // surrogate
        {"m=message 7 TCP/MSRP *\r\n" + path + "A=x\r\n", errc::bad_sdp_line},
        {"m=message 7 TCP/MSRP *\r\n" + path + "a x\r\n", errc::bad_sdp_line},
        {"m=message 7 TCP/MSRP *\r\n" + path + "a\r\n", errc::bad_sdp_line},
        {"m=message 7 TCP/MSRP *\r\n" + path + "t=0 0\r\n", errc::bad_sdp_line},
        {"m=message 7 TCP/MSRP *\r\n" + path + "m=message 8 TCP/MSRP *\r\n", errc::bad_sdp_line},
        {"m=message 7 TCP/MSRP *\r\n" + path + "c=IN IP4\r\n", errc::bad_sdp_line},
        {"m=message 7 TCP/MSRP *\r\n" + path + "c=IN IP4 a b\r\n", errc::bad_sdp_line},
        {"m=message 7 TCP/MSRP *\r\n" + path + "c=IN I:4 a\r\n", errc::bad_sdp_line},
        {"m=message 7 TCP/MSRP *\r\n" + path + "c=IN IP4 a\r\nc=IN IP4 b\r\n", errc::bad_sdp_line},
        {"m=message 7 TCP/MSRP *\r\n" + path + "a=:x\r\n", errc::bad_sdp_line},
        {"m=message 7 TCP/MSRP *\r\n" + path + "a=a b:x\r\n", errc::bad_sdp_line},
        // bad_sdp_media
        {"", errc::bad_sdp_media},
        {"\r\n", errc::bad_sdp_media},
        {path, errc::bad_sdp_media},
        {"m=audio 7 TCP/MSRP *\r\n" + path, errc::bad_sdp_media},
        {"m=message 7 TCP/MSRP\r\n" + path, errc::bad_sdp_media},
        {"m=message 7\r\n" + path, errc::bad_sdp_media},
        {"m=message x TCP/MSRP *\r\n" + path, errc::bad_sdp_media},
        {"m=message -1 TCP/MSRP *\r\n" + path, errc::bad_sdp_media},
        {"m=message 65536 TCP/MSRP *\r\n" + path, errc::bad_sdp_media},
        {"m=message 0000007 TCP/MSRP *\r\n" + path, errc::bad_sdp_media},
        {"m=message 7/2 TCP/MSRP *\r\n" + path, errc::bad_sdp_media},
        {"m=message 7 TCP/WSS/MSRP *\r\n" + path, errc::bad_sdp_media},
        {"m=message 7 UDP/MSRP *\r\n" + path, errc::bad_sdp_media},
        {"m=message 7 TCP/MSRP a:b\r\n" + path, errc::bad_sdp_media},
        {"m=message 7 TCP/MSRP *\tx\r\n" + path, errc::bad_sdp_media},
        // bad_sdp_attribute
        {"m=message 7 TCP/MSRP *\r\na=path\r\n", errc::bad_sdp_attribute},
        {"m=message 7 TCP/MSRP *\r\na=path:\r\n", errc::bad_sdp_attribute},
        {"m=message 7 TCP/MSRP *\r\na=path:http://h.example/x\r\n", errc::bad_sdp_attribute},
        {"m=message 7 TCP/MSRP *\r\na=path:msrp://h.example:7/s;tcp  msrp://h.example:8/t;tcp\r\n",
         errc::bad_sdp_attribute},
        {"m=message 7 TCP/MSRP *\r\n" + path + path, errc::bad_sdp_attribute},
        {"m=message 7 TCP/MSRP *\r\n" + path + "a=accept-types\r\n", errc::bad_sdp_attribute},
        {"m=message 7 TCP/MSRP *\r\n" + path + "a=accept-types: \r\n", errc::bad_sdp_attribute},
        {"m=message 7 TCP/MSRP *\r\n" + path + "a=accept-types:text\r\n", errc::bad_sdp_attribute},
        {"m=message 7 TCP/MSRP *\r\n" + path + "a=accept-types:text/plain\r\na=accept-types:*\r\n",
         errc::bad_sdp_attribute},
        {"m=message 7 TCP/MSRP *\r\n" + path + "a=accept-wrapped-types:te<t/plain\r\n", errc::bad_sdp_attribute},
        {"m=message 7 TCP/MSRP *\r\n" + path + "a=max-size:\r\n", errc::bad_sdp_attribute},
        {"m=message 7 TCP/MSRP *\r\n" + path + "a=max-size:-1\r\n", errc::bad_sdp_attribute},
        {"m=message 7 TCP/MSRP *\r\n" + path + "a=max-size: 10\r\n", errc::bad_sdp_attribute},
        {"m=message 7 TCP/MSRP *\r\n" + path + "a=max-size:10000000000000000000\r\n", errc::bad_sdp_attribute},
        {"m=message 7 TCP/MSRP *\r\n" + path + "a=max-size:1\r\na=max-size:1\r\n", errc::bad_sdp_attribute},
        {"m=message 7 TCP/MSRP *\r\n" + path + "a=setup\r\n", errc::bad_sdp_attribute},
        {"m=message 7 TCP/MSRP *\r\n" + path + "a=setup:Active\r\n", errc::bad_sdp_attribute},
        {"m=message 7 TCP/MSRP *\r\n" + path + "a=setup:active\r\na=setup:active\r\n", errc::bad_sdp_attribute},
        {"m=message 7 TCP/MSRP *\r\n" + path + "a=connection:old\r\n", errc::bad_sdp_attribute},
        {"m=message 7 TCP/MSRP *\r\n" + path + "a=msrp-cema:yes\r\n", errc::bad_sdp_attribute},
        {"m=message 7 TCP/MSRP *\r\n" + path + "a=msrp-cema\r\na=msrp-cema\r\n", errc::bad_sdp_attribute},
        {"m=message 7 TCP/MSRP *\r\n" + path + "a=fingerprint\r\n", errc::bad_sdp_attribute},
        {"m=message 7 TCP/MSRP *\r\n" + path + "a=fingerprint:SHA-1\r\n", errc::bad_sdp_attribute},
        {"m=message 7 TCP/MSRP *\r\n" + path + "a=fingerprint:SHA-1 4A:AD:B\r\n", errc::bad_sdp_attribute},
        {"m=message 7 TCP/MSRP *\r\n" + path + "a=fingerprint:SHA-1 4A:AD:\r\n", errc::bad_sdp_attribute},
        {"m=message 7 TCP/MSRP *\r\n" + path + "a=fingerprint:SHA-1 4AAD\r\n", errc::bad_sdp_attribute},
        {"m=message 7 TCP/MSRP *\r\n" + path + "a=fingerprint:SHA-1 4G:AD\r\n", errc::bad_sdp_attribute},
        {"m=message 7 TCP/MSRP *\r\n" + path + "a=fingerprint:SHA-1  4A:AD\r\n", errc::bad_sdp_attribute},
        {"m=message 7 TCP/MSRP *\r\n" + path + "a=fingerprint:SH:A 4A:AD\r\n", errc::bad_sdp_attribute},
        {"m=message 7 TCP/MSRP *\r\n" + path + "a=sendonly:x\r\n", errc::bad_sdp_attribute},
        {"m=message 7 TCP/MSRP *\r\n" + path + "a=sendonly\r\na=recvonly\r\n", errc::bad_sdp_attribute},
        // missing_sdp_path
        {"m=message 7 TCP/MSRP *\r\n", errc::missing_sdp_path},
        {"m=message 7 TCP/MSRP *\r\na=accept-types:*\r\n", errc::missing_sdp_path},
    };
    for (const auto& r : media_rows) {
        INFO(r.text);
        CHECK(media_error(r.text) == r.expected);
        // Inside a description, after session lines, the same error.
        const std::string whole = "v=0\r\nc=IN IP4 h.example\r\n" + r.text;
        if (r.expected == errc::bad_sdp_media && r.text.substr(0, 9) != "m=message")
            continue; // session lines or another media there
        if (r.text.find("m=message 8") != std::string::npos)
            continue; // a second section is fine in a description
        CHECK(parse_error(whole) == r.expected);
    }

    const std::vector<row> session_rows = {
        {"v=0\r\nx=1\r\n", errc::bad_sdp_line},
        {"v=0\r\nc=IN IP4 a\r\nc=IN IP4 b\r\n", errc::bad_sdp_line},
        {"v=0\r\nc=IN\r\n", errc::bad_sdp_line},
        {"v=0\r\nm=audio 1 RTP/AVP 0\r\nt=0 0\r\n", errc::bad_sdp_line},
        {"v=0\r\nm=audio 1 RTP/AVP 0\r\na=\x7f\r\n", errc::bad_sdp_line},
        {"v=0\r\na=fingerprint:sha-1\r\n", errc::bad_sdp_attribute},
        {"v=0\r\na=fingerprint\r\n", errc::bad_sdp_attribute},
        {"v=0\r\nm=message 1 TCP/MSRP *\r\nm=message 2 TCP/MSRP *\r\n" + path, errc::missing_sdp_path},
    };
    for (const auto& r : session_rows) {
        INFO(r.text);
        CHECK(parse_error(r.text) == r.expected);
    }

    // The codes belong to the msrp category and map to no MSRP status.
    for (auto e : {errc::bad_sdp_line, errc::bad_sdp_media, errc::bad_sdp_attribute, errc::missing_sdp_path,
                   errc::sdp_too_large}) {
        const std::error_code ec = e;
        CHECK(ec.category() == msrp::error_category());
        CHECK(msrp::status_code_for(ec) == 0);
        CHECK_FALSE(ec.message().empty());
    }
}

TEST_CASE("sdp: limits give sdp_too_large", "[sdp]") {
    const std::string text = vector("rfc5547-s6-fig2-file-transfer.sdp");
    const SDPSession whole = parse_ok(text);

    msrp::sdp_limits bytes;
    bytes.max_bytes = text.size();
    CHECK(parse_ok(text, bytes) == whole);
    bytes.max_bytes = text.size() - 1;
    CHECK(parse_error(text, bytes) == errc::sdp_too_large);
    CHECK_FALSE(media_error(text.substr(text.find("m=")), bytes)); // the section alone is shorter

    msrp::sdp_limits lines;
    lines.max_lines = 17; // the vector has 17 lines
    CHECK(parse_ok(text, lines) == whole);
    lines.max_lines = 16;
    CHECK(parse_error(text, lines) == errc::sdp_too_large);
    // Empty lines do not count.
    lines.max_lines = 17;
    CHECK(parse_ok(to_lf(text) + "\n\n\n", lines) == whole);

    msrp::sdp_limits attributes;
    attributes.max_attributes_per_media = 10;
    CHECK(parse_ok(text, attributes) == whole);
    attributes.max_attributes_per_media = 9;
    CHECK(parse_error(text, attributes) == errc::sdp_too_large);
    CHECK(parse_error("m=audio 1 RTP/AVP 0\r\na=1\r\na=2\r\n", [] {
              msrp::sdp_limits l;
              l.max_attributes_per_media = 1;
              return l;
          }()) == errc::sdp_too_large);

    msrp::sdp_limits line_bytes;
    const std::size_t longest = std::string_view(
        "a=file-selector:name:\"My cool picture.jpg\" type:image/jpeg size:32349 "
        "hash:sha-1:72:24:5F:E8:65:3D:DA:F3:71:36:2F:86:D4:71:91:3E:E4:A2:CE:2E").size();
    line_bytes.max_line_bytes = longest;
    CHECK(parse_ok(text, line_bytes) == whole);
    line_bytes.max_line_bytes = longest - 1;
    CHECK(parse_error(text, line_bytes) == errc::sdp_too_large);

    // A limit is checked before the line's content.
    msrp::sdp_limits tiny;
    tiny.max_line_bytes = 4;
    CHECK(media_error("m=message\x01 7\r\n", tiny) == errc::sdp_too_large);

    // Defaults: a long description of many lines.
    std::string big = "m=message 7 TCP/MSRP *\r\na=path:msrp://h.example:7/s;tcp\r\n";
    for (int i = 0; i < 127; ++i)
        big += "a=x-" + std::to_string(i) + "\r\n";
    CHECK(parse_media_ok(big).attributes.size() == 127);
    CHECK(media_error(big + "a=one-more\r\n") == errc::sdp_too_large);
    CHECK(media_error("m=message 7 TCP/MSRP *\r\na=x:" + std::string(8190, 'y') + "\r\n" + "a=path:msrp://h:7/s;tcp") ==
          errc::sdp_too_large);
    CHECK(parse_error(std::string(64 * 1024 + 1, '\n')) == errc::sdp_too_large);
}

TEST_CASE("sdp: make_msrp_media builds a chat offer", "[sdp]") {
    const msrp::Path path = msrp::parse_path("msrp://alice.example.com:7394/2s93i93idj;tcp");
    const SDPMedia m = msrp::make_msrp_media(path, {"message/cpim", "text/plain"}, {"text/plain"});
    CHECK(m.port == 7394);
    CHECK_FALSE(m.uses_tls());
    REQUIRE(m.connection_data);
    CHECK(*m.connection_data == msrp::SDPConnection{"IN", "IP4", "alice.example.com"});
    CHECK(msrp::format_sdp_media(m) == "m=message 7394 TCP/MSRP *\r\n"
                                       "c=IN IP4 alice.example.com\r\n"
                                       "a=accept-types:message/cpim text/plain\r\n"
                                       "a=accept-wrapped-types:text/plain\r\n"
                                       "a=path:msrp://alice.example.com:7394/2s93i93idj;tcp\r\n");
    CHECK(parse_media_ok(msrp::format_sdp_media(m)) == m);

    // Via a relay over TLS, IPv6: the first URI is where the peer connects.
    const SDPMedia relayed = msrp::make_msrp_media(
        msrp::parse_path("msrps://[2001:db8::1]:2855/r1;tcp msrps://alice.example.com/a1;tcp"), {"*"});
    CHECK(relayed.port == 2855);
    CHECK(relayed.uses_tls());
    CHECK(*relayed.connection_data == msrp::SDPConnection{"IN", "IP6", "2001:db8::1"});
    CHECK(parse_media_ok(msrp::format_sdp_media(relayed)) == relayed);

    // No port in the URI: MSRP's default.
    CHECK(msrp::make_msrp_media(msrp::parse_path("msrp://h.example/s;tcp"), {"*"}).port == msrp::default_port);

    // An empty path: a capability description.
    const SDPMedia caps = msrp::make_msrp_media({}, {"text/plain"});
    CHECK(caps.port == 0);
    CHECK_FALSE(caps.connection_data);
    CHECK(parse_media_ok(msrp::format_sdp_media(caps)) == caps);

    // In a session.
    SDPSession s;
    s.session_lines = {"v=0", "o=- 0 0 IN IP4 alice.example.com", "s=-", "t=0 0"};
    s.media.push_back(m);
    check_round_trip(s);
}

TEST_CASE("sdp: values from the application cannot inject lines", "[sdp]") {
    SDPMedia bad_type = msrp::make_msrp_media(msrp::parse_path("msrp://h.example:7/s;tcp"), {"text/plain\r\na=evil"});
    const std::string bad_text = msrp::format_sdp_media(bad_type);
    CHECK(bad_text.find("\r\na=evil") == std::string::npos);
    CHECK(media_error(bad_text) == errc::bad_sdp_attribute); // `a=evil` is no media type

    SDPMedia m = msrp::make_msrp_media(msrp::parse_path("msrp://h.example:7/s;tcp"), {"text/plain"});
    m.attributes.push_back({"x", "1\r\nm=message 9 TCP/MSRP *", true});
    m.other_lines.push_back("i=a\nb");
    m.formats.clear();
    const std::string text = msrp::format_sdp_media(m);
    CHECK(text.find("\r\nm=message 9") == std::string::npos);
    CHECK(text.substr(0, 24) == "m=message 7 TCP/MSRP *\r\n"); // empty formats give *
    const SDPMedia again = parse_media_ok(text);
    CHECK(again.attributes.back().value == "1  m=message 9 TCP/MSRP *");
    CHECK(again.other_lines == strings{"i=a b"});

    SDPSession s;
    s.session_lines = {"s=x\r\nm=audio 1 RTP/AVP 0"};
    CHECK(parse_ok(msrp::format_sdp(s)).session_lines == strings{"s=x  m=audio 1 RTP/AVP 0"});
}

TEST_CASE("sdp: other media keep their place among the m= lines", "[sdp]") {
    SDPSession s;
    s.media.push_back(msrp::make_msrp_media(msrp::parse_path("msrp://h.example:7/s;tcp"), {"*"}));
    s.media.push_back(msrp::make_msrp_media(msrp::parse_path("msrp://h.example:8/t;tcp"), {"*"}));
    s.other_media.push_back({1, {"m=audio 0 RTP/AVP 0"}});
    const SDPSession again = parse_ok(msrp::format_sdp(s));
    CHECK(again == s);
    const auto text = msrp::format_sdp(s);
    CHECK(text.find("m=message 7") < text.find("m=audio"));
    CHECK(text.find("m=audio") < text.find("m=message 8"));

    // Out-of-range indices put the section last, never drop it.
    s.other_media[0].index = 99;
    const SDPSession last = parse_ok(msrp::format_sdp(s));
    REQUIRE(last.other_media.size() == 1);
    CHECK(last.other_media[0].index == 2);
}
