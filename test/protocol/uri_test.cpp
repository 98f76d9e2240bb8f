// MSRP URIs and paths (RFC 4975 §6, §6.1, §9): parsing, rejection,
// formatting and comparison, as tables.

#include <msrp/protocol/error.hpp>
#include <msrp/protocol/path.hpp>
#include <msrp/protocol/uri.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <system_error>
#include <vector>

using msrp::errc;

namespace {

std::error_code bad_uri() { return msrp::make_error_code(errc::bad_uri); }

bool inside(std::string_view part, std::string_view whole) {
    return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

struct accepted_uri {
    const char* text;
    bool use_tls;
    const char* user;
    const char* host;
    std::uint16_t port;
    const char* session_id;
    const char* transport;
    const char* parameters;            // as in uri_view (after the transport's ';')
    std::vector<std::string> param_list; // as in URI::parameters
    bool ipv6;
    bool ipv4;
};

const std::vector<accepted_uri>& accepted_uris() {
    static const std::vector<accepted_uri> table = {
        // RFC 4975 §5, §7.1 examples.
        {"msrp://atlanta.example.com:7654/jshA7weztas;tcp", false, "", "atlanta.example.com", 7654,
         "jshA7weztas", "tcp", "", {}, false, false},
        {"msrps://bob.example.com:8888/9di4eae923wzd;tcp", true, "", "bob.example.com", 8888,
         "9di4eae923wzd", "tcp", "", {}, false, false},
        // RFC 4976 AUTH: a relay URI with neither port nor session-id.
        {"msrps://relay.example.com;tcp", true, "", "relay.example.com", 0, "", "tcp", "", {}, false, false},
        {"msrp://relay.example.com:2855;tcp", false, "", "relay.example.com", 2855, "", "tcp", "", {},
         false, false},
        // userinfo
        {"msrp://alice@atlanta.example.com:7654/jshA7weztas;tcp", false, "alice", "atlanta.example.com",
         7654, "jshA7weztas", "tcp", "", {}, false, false},
        {"msrps://al%69ce.smith@example.com/s1;tcp", true, "al%69ce.smith", "example.com", 0, "s1", "tcp",
         "", {}, false, false},
        // IPv4 with port
        {"msrp://192.0.2.1:2855/s1;tcp", false, "", "192.0.2.1", 2855, "s1", "tcp", "", {}, false, true},
        {"msrp://10.0.0.1:1/s1;tcp", false, "", "10.0.0.1", 1, "s1", "tcp", "", {}, false, true},
        {"msrp://255.255.255.255:65535/s1;tcp", false, "", "255.255.255.255", 65535, "s1", "tcp", "", {},
         false, true},
        {"msrp://0.0.0.0:80/s1;tcp", false, "", "0.0.0.0", 80, "s1", "tcp", "", {}, false, true},
        // bracketed IPv6 with port
        {"msrp://[2001:db8::1]:8888/s1;tcp", false, "", "2001:db8::1", 8888, "s1", "tcp", "", {}, true,
         false},
        {"msrp://[::1]:2855/s1;tcp", false, "", "::1", 2855, "s1", "tcp", "", {}, true, false},
        {"msrp://[::]:2855/s1;tcp", false, "", "::", 2855, "s1", "tcp", "", {}, true, false},
        {"msrp://[::ffff:192.0.2.1]:2855/s1;tcp", false, "", "::ffff:192.0.2.1", 2855, "s1", "tcp", "",
         {}, true, false},
        {"msrps://[1:2:3:4:5:6:7:8]:9/s1;tcp", true, "", "1:2:3:4:5:6:7:8", 9, "s1", "tcp", "", {}, true,
         false},
        {"msrp://[1:2:3:4:5:6:192.0.2.1]:9/s1;tcp", false, "", "1:2:3:4:5:6:192.0.2.1", 9, "s1", "tcp", "",
         {}, true, false},
        {"msrp://[1:2:3:4:5:6:7::]:9/s1;tcp", false, "", "1:2:3:4:5:6:7::", 9, "s1", "tcp", "", {}, true,
         false},
        {"msrp://[2001:DB8::ABCD]:9/s1;tcp", false, "", "2001:DB8::ABCD", 9, "s1", "tcp", "", {}, true,
         false},
        {"msrp://bob@[2001:db8::1]:8888/s1;tcp", false, "bob", "2001:db8::1", 8888, "s1", "tcp", "", {},
         true, false},
        // upper-case schemes
        {"MSRP://atlanta.example.com:7654/jshA7weztas;tcp", false, "", "atlanta.example.com", 7654,
         "jshA7weztas", "tcp", "", {}, false, false},
        {"MSRPS://bob.example.com:8888/9di4eae923wzd;tcp", true, "", "bob.example.com", 8888,
         "9di4eae923wzd", "tcp", "", {}, false, false},
        {"MsRpS://bob.example.com:8888/x1;tcp", true, "", "bob.example.com", 8888, "x1", "tcp", "", {},
         false, false},
        // other transports are kept verbatim by the URI parser
        {"msrp://bob.example.com:8888/s1;udp", false, "", "bob.example.com", 8888, "s1", "udp", "", {},
         false, false},
        {"msrp://bob.example.com:8888/s1;ws", false, "", "bob.example.com", 8888, "s1", "ws", "", {}, false,
         false},
        {"msrp://bob.example.com:8888/s1;TCP", false, "", "bob.example.com", 8888, "s1", "TCP", "", {},
         false, false},
        {"msrp://bob.example.com:8888/s1;sctp2", false, "", "bob.example.com", 8888, "s1", "sctp2", "", {},
         false, false},
        // URI parameters after the transport, in order
        {"msrp://bob.example.com:8888/s1;tcp;foo=bar;baz", false, "", "bob.example.com", 8888, "s1", "tcp",
         "foo=bar;baz", {"foo=bar", "baz"}, false, false},
        {"msrp://bob.example.com/s1;tcp;z;a=1;m", false, "", "bob.example.com", 0, "s1", "tcp", "z;a=1;m",
         {"z", "a=1", "m"}, false, false},
        // session-id characters: unreserved, "+", "=", "/"
        {"msrp://bob.example.com:8888/a+b=c/d;tcp", false, "", "bob.example.com", 8888, "a+b=c/d", "tcp", "",
         {}, false, false},
        {"msrp://bob.example.com:8888/Ab-._~9+=/;tcp", false, "", "bob.example.com", 8888, "Ab-._~9+=/",
         "tcp", "", {}, false, false},
        {"msrp://bob.example.com:8888//;tcp", false, "", "bob.example.com", 8888, "/", "tcp", "", {}, false,
         false},
        // host names: reg-name characters and percent-encoding
        {"msrp://ex%61mple.com:1/s;tcp", false, "", "ex%61mple.com", 1, "s", "tcp", "", {}, false, false},
        {"msrp://my_host-1.example.com./s;tcp", false, "", "my_host-1.example.com.", 0, "s", "tcp", "", {},
         false, false},
        {"msrp://localhost;tcp", false, "", "localhost", 0, "", "tcp", "", {}, false, false},
    };
    return table;
}

const char* const rejected_uris[] = {
    // scheme
    "msrp:/bob.example.com:8888/s1;tcp",
    "msrp//bob.example.com:8888/s1;tcp",
    "bob.example.com:8888/s1;tcp",
    "sip://bob.example.com:8888/s1;tcp",
    "msrpx://bob.example.com:8888/s1;tcp",
    "://bob.example.com:8888/s1;tcp",
    " msrp://bob.example.com:8888/s1;tcp",
    "",
    // transport
    "msrp://bob.example.com:8888/s1",
    "msrp://bob.example.com:8888",
    "msrp://bob.example.com",
    "msrp://bob.example.com:8888/s1;",
    "msrp://bob.example.com;",
    "msrp://bob.example.com:8888/s1;t-cp",
    "msrp://bob.example.com:8888/s1;tcp/x",
    "msrp://bob.example.com:8888/s1;tcp ",
    // session-id
    "msrp://bob.example.com:8888/;tcp",
    "msrp://bob.example.com:8888/s%201;tcp",
    "msrp://bob.example.com:8888/s@1;tcp",
    "msrp://bob.example.com:8888/s 1;tcp",
    // port
    "msrp://bob.example.com:0/s1;tcp",
    "msrp://bob.example.com:65536/s1;tcp",
    "msrp://bob.example.com:88a8/s1;tcp",
    "msrp://bob.example.com:/s1;tcp",
    "msrp://bob.example.com:+80/s1;tcp",
    "msrp://bob.example.com:-1/s1;tcp",
    "msrp://bob.example.com:99999999999999999999999/s1;tcp",
    "msrp://bob.example.com:18446744073709559391/s1;tcp",
    "msrp://[2001:db8::1]:0/s1;tcp",
    "msrp://[2001:db8::1]:65536/s1;tcp",
    "msrp://[2001:db8::1]:/s1;tcp",
    // RFC 4975 §6: a numeric host needs a port
    "msrp://192.0.2.1/s1;tcp",
    "msrp://192.0.2.1;tcp",
    "msrp://[2001:db8::1]/s1;tcp",
    "msrp://[::1];tcp",
    // bad IPv4 / IPv6
    "msrp://010.0.0.1:80/s1;tcp",
    "msrp://10.0.0.01:80/s1;tcp",
    "msrp://256.0.0.1:80/s1;tcp",
    "msrp://[1::2::3]:80/s1;tcp",
    "msrp://[12345::1]:80/s1;tcp",
    "msrp://[1:2:3:4:5:6:7:8:9]:80/s1;tcp",
    "msrp://[1:2:3:4:5:6:7::8]:80/s1;tcp",
    "msrp://[1:2:3:4:5:6:7]:80/s1;tcp",
    "msrp://[:1::2]:80/s1;tcp",
    "msrp://[1::2:]:80/s1;tcp",
    "msrp://[::g]:80/s1;tcp",
    "msrp://[::ffff:1.2.3]:80/s1;tcp",
    "msrp://[1:2:3:4:5:6:7:192.0.2.1]:80/s1;tcp",
    "msrp://[]:80/s1;tcp",
    "msrp://[::1:80/s1;tcp",
    "msrp://[::1]x:80/s1;tcp",
    "msrp://2001:db8::1:80/s1;tcp",
    // userinfo and host
    "msrp://alice:secret@bob.example.com:8888/s1;tcp",
    "msrp://:8888/s1;tcp",
    "msrp:///s1;tcp",
    "msrp://;tcp",
    "msrp://alice@:8888/s1;tcp",
    "msrp://alice@/s1;tcp",
    "msrp://bob example.com:8888/s1;tcp",
    "msrp://bob<x>.example.com:8888/s1;tcp",
    // percent-encoding
    "msrp://ex%G1mple.com:8888/s1;tcp",
    "msrp://example.com%4:8888/s1;tcp",
    "msrp://example.com%:8888/s1;tcp",
    "msrp://al%4@example.com:8888/s1;tcp",
    "msrp://al%zzce@example.com:8888/s1;tcp",
    // URI parameters
    "msrp://bob.example.com:8888/s1;tcp;",
    "msrp://bob.example.com:8888/s1;tcp;;a",
    "msrp://bob.example.com:8888/s1;tcp;foo=",
    "msrp://bob.example.com:8888/s1;tcp;=bar",
    "msrp://bob.example.com:8888/s1;tcp;a@b",
    "msrp://bob.example.com:8888/s1;tcp;foo=bar=baz",
    "msrp://bob.example.com:8888/s1;tcp;foo:bar",
};

} // namespace

TEST_CASE("uri: parse_uri_view accepts RFC 4975 URIs", "[uri]") {
    for (const auto& row : accepted_uris()) {
        const std::string_view text = row.text;
        INFO("URI: " << text);
        msrp::uri_view v;
        v.port = 4242; // must be overwritten
        REQUIRE(msrp::parse_uri_view(text, v) == std::error_code{});
        CHECK(v.use_tls == row.use_tls);
        CHECK(v.user == row.user);
        CHECK(v.host == row.host);
        CHECK(v.port == row.port);
        CHECK(v.session_id == row.session_id);
        CHECK(v.transport == row.transport);
        CHECK(v.parameters == row.parameters);
        CHECK(v.host_is_ipv6 == row.ipv6);
        CHECK(v.host_is_ipv4 == row.ipv4);
        // A view, not a copy.
        CHECK(inside(v.host, text));
        CHECK(inside(v.transport, text));
        if (!v.session_id.empty())
            CHECK(inside(v.session_id, text));
    }
}

TEST_CASE("uri: URI::parse fills every field", "[uri]") {
    for (const auto& row : accepted_uris()) {
        INFO("URI: " << row.text);
        msrp::URI u;
        u.parameters = {"stale"};
        REQUIRE(msrp::URI::parse(row.text, u) == std::error_code{});
        CHECK(u.use_tls == row.use_tls);
        CHECK(u.scheme() == (row.use_tls ? "msrps" : "msrp"));
        CHECK(u.user == row.user);
        CHECK(u.host == row.host);
        CHECK(u.port == row.port);
        CHECK(u.session_id == row.session_id);
        CHECK(u.transport == row.transport);
        CHECK(u.parameters == row.param_list);
        CHECK(u.effective_port() == (row.port ? row.port : 2855));

        // The throwing overload gives the same URI.
        const auto thrown = msrp::URI::parse(std::string_view(row.text));
        CHECK(thrown.host == u.host);
        CHECK(thrown.parameters == u.parameters);
    }
}

TEST_CASE("uri: malformed URIs are rejected with bad_uri", "[uri]") {
    for (const char* text : rejected_uris) {
        INFO("URI: '" << text << "'");
        msrp::uri_view v;
        CHECK(msrp::parse_uri_view(text, v) == bad_uri());
        msrp::URI u;
        CHECK(msrp::URI::parse(text, u) == bad_uri());
        CHECK_THROWS_AS(msrp::URI::parse(std::string_view(text)), std::system_error);
    }
}

TEST_CASE("uri: the throwing URI::parse carries bad_uri", "[uri]") {
    try {
        (void)msrp::URI::parse(std::string_view("sip://bob.example.com:8888/s1;tcp"));
        FAIL("no exception");
    } catch (const std::system_error& e) {
        CHECK(e.code() == errc::bad_uri);
    }
}

TEST_CASE("uri: effective_port and scheme", "[uri]") {
    const auto relay = msrp::URI::parse(std::string_view("msrps://relay.example.com;tcp"));
    CHECK(relay.port == 0);
    CHECK(relay.effective_port() == 2855);
    CHECK(msrp::default_port == 2855);
    CHECK(relay.scheme() == "msrps");
    const auto bob = msrp::URI::parse(std::string_view("msrp://bob.example.com:8888/s;tcp"));
    CHECK(bob.effective_port() == 8888);
    CHECK(bob.scheme() == "msrp");
}

TEST_CASE("uri: RFC 4975 §6.1 comparison", "[uri]") {
    struct row {
        const char* a;
        const char* b;
        bool equal;
    };
    const row table[] = {
        {"msrp://atlanta.example.com:7654/jshA7weztas;tcp", "msrp://atlanta.example.com:7654/jshA7weztas;tcp", true},
        // scheme and host case-insensitive
        {"MSRP://Host.Example.COM:1/s;tcp", "msrp://host.example.com:1/s;tcp", true},
        {"MSRPS://host.example.com:1/s;tcp", "msrps://HOST.example.com:1/s;tcp", true},
        // percent-encoded unreserved characters in the host are decoded
        {"msrp://ex%61mple.com:1/s;tcp", "msrp://example.com:1/s;tcp", true},
        {"msrp://EX%41MPLE.com:1/s;tcp", "msrp://example.com:1/s;tcp", true},
        {"msrp://ex%2dample.com:1/s;tcp", "msrp://ex-ample.com:1/s;tcp", true},
        {"msrp://ex%62mple.com:1/s;tcp", "msrp://example.com:1/s;tcp", false},
        {"msrp://example.co%6D:1/s;tcp", "msrp://EXAMPLE.COM:1/s;tcp", true},
        {"msrp://%65xample.com:1/s;tcp", "msrp://ex%61mple.com:1/s;tcp", true},
        // IPv6 compared as addresses
        {"msrp://[2001:db8::1]:8888/s1;tcp", "msrp://[2001:0db8:0:0:0:0:0:1]:8888/s1;tcp", true},
        {"msrp://[2001:DB8::1]:8888/s1;tcp", "msrp://[2001:db8:0::1]:8888/s1;tcp", true},
        {"msrp://[::1]:8888/s1;tcp", "msrp://[0:0:0:0:0:0:0:1]:8888/s1;tcp", true},
        {"msrp://[::ffff:192.0.2.1]:8888/s1;tcp", "msrp://[::ffff:c000:201]:8888/s1;tcp", true},
        {"msrp://[2001:db8::1]:8888/s1;tcp", "msrp://[2001:db8::2]:8888/s1;tcp", false},
        {"msrp://[2001:db8::1:0]:8888/s1;tcp", "msrp://[2001:db8::1]:8888/s1;tcp", false},
        {"msrp://[::ffff:192.0.2.1]:8888/s1;tcp", "msrp://192.0.2.1:8888/s1;tcp", false},
        // IPv4
        {"msrp://192.0.2.1:8888/s1;tcp", "msrp://192.0.2.1:8888/s1;tcp", true},
        {"msrp://192.0.2.1:8888/s1;tcp", "msrp://192.0.2.10:8888/s1;tcp", false},
        // ports: explicit never equals absent, even the default port
        {"msrp://host.example.com:2855/s;tcp", "msrp://host.example.com/s;tcp", false},
        {"msrp://host.example.com/s;tcp", "msrp://host.example.com:2855/s;tcp", false},
        {"msrp://host.example.com:1/s;tcp", "msrp://host.example.com:2/s;tcp", false},
        {"msrp://host.example.com/s;tcp", "msrp://host.example.com/s;tcp", true},
        // session-id is case-sensitive; absent differs from present
        {"msrp://host.example.com:1/abc;tcp", "msrp://host.example.com:1/ABC;tcp", false},
        {"msrp://host.example.com:1/abc;tcp", "msrp://host.example.com:1;tcp", false},
        {"msrp://host.example.com:1/abc;tcp", "msrp://host.example.com:1/abc/;tcp", false},
        // transport case-insensitive, different transports differ
        {"msrp://host.example.com:1/s;TCP", "msrp://host.example.com:1/s;tcp", true},
        {"msrp://host.example.com:1/s;tcp", "msrp://host.example.com:1/s;ws", false},
        {"msrp://host.example.com:1/s;tcp", "msrp://host.example.com:1/s;tcp2", false},
        // userinfo ignored
        {"msrp://alice@host.example.com:1/s;tcp", "msrp://bob@host.example.com:1/s;tcp", true},
        {"msrp://alice@host.example.com:1/s;tcp", "msrp://host.example.com:1/s;tcp", true},
        // msrp vs msrps
        {"msrp://host.example.com:1/s;tcp", "msrps://host.example.com:1/s;tcp", false},
        // URI parameters ignored
        {"msrp://host.example.com:1/s;tcp;foo=bar", "msrp://host.example.com:1/s;tcp", true},
        {"msrp://host.example.com:1/s;tcp;a;b", "msrp://host.example.com:1/s;tcp;c=d", true},
        // hosts
        {"msrp://host.example.com:1/s;tcp", "msrp://host.example.org:1/s;tcp", false},
        {"msrp://host.example.com:1/s;tcp", "msrp://host.example.co:1/s;tcp", false},
        {"msrp://host.example.com:1/s;tcp", "msrp://host.example.com.:1/s;tcp", false},
    };
    for (const auto& r : table) {
        INFO(r.a << "  vs  " << r.b << "  expected " << (r.equal ? "equal" : "different"));
        const auto a = msrp::URI::parse(std::string_view(r.a));
        const auto b = msrp::URI::parse(std::string_view(r.b));
        CHECK((a == b) == r.equal);
        CHECK((b == a) == r.equal);
        CHECK((a != b) == !r.equal);
        msrp::uri_view va, vb;
        REQUIRE_FALSE(msrp::parse_uri_view(r.a, va));
        REQUIRE_FALSE(msrp::parse_uri_view(r.b, vb));
        CHECK(msrp::uri_equivalent(va, vb) == r.equal);
        CHECK(msrp::uri_equivalent(vb, va) == r.equal);
    }
}

TEST_CASE("uri: to_string re-parses to an equal URI", "[uri]") {
    for (const auto& row : accepted_uris()) {
        INFO("URI: " << row.text);
        const auto u = msrp::URI::parse(std::string_view(row.text));
        const auto text = u.to_string();
        INFO("formatted: " << text);
        msrp::URI again;
        REQUIRE(msrp::URI::parse(text, again) == std::error_code{});
        CHECK(again == u);
        CHECK(again.user == u.user);
        CHECK(again.host == u.host);
        CHECK(again.transport == u.transport);
        CHECK(again.parameters == u.parameters);
        std::string appended = "x ";
        u.append_to(appended);
        CHECK(appended == "x " + text);
    }
}

TEST_CASE("uri: to_string output", "[uri]") {
    struct row {
        const char* in;
        const char* out;
    };
    const row table[] = {
        {"msrp://atlanta.example.com:7654/jshA7weztas;tcp", "msrp://atlanta.example.com:7654/jshA7weztas;tcp"},
        {"msrps://relay.example.com;tcp", "msrps://relay.example.com;tcp"},
        {"MSRP://Alice@Host.Example.COM:1/sEs;TCP;Foo=Bar;baz", "msrp://Alice@Host.Example.COM:1/sEs;TCP;Foo=Bar;baz"},
        {"MSRPS://bob.example.com:8888/9di4eae923wzd;tcp", "msrps://bob.example.com:8888/9di4eae923wzd;tcp"},
        {"msrp://[2001:db8::1]:8888/s1;tcp", "msrp://[2001:db8::1]:8888/s1;tcp"},
        {"msrp://[::ffff:192.0.2.1]:8888/s1;tcp", "msrp://[::ffff:192.0.2.1]:8888/s1;tcp"},
        {"msrp://192.0.2.1:8888/a+b=c/d;ws", "msrp://192.0.2.1:8888/a+b=c/d;ws"},
    };
    for (const auto& r : table) {
        INFO(r.in);
        CHECK(msrp::URI::parse(std::string_view(r.in)).to_string() == r.out);
    }

    // Built by hand: IPv6 hosts get brackets, port 0 is left out.
    msrp::URI u;
    u.host = "2001:db8::1";
    u.port = 8888;
    u.session_id = "s1";
    CHECK(u.to_string() == "msrp://[2001:db8::1]:8888/s1;tcp");
    u.port = 0;
    u.session_id.clear();
    u.use_tls = true;
    CHECK(u.to_string() == "msrps://[2001:db8::1];tcp");
    msrp::URI h;
    h.host = "relay.example.com";
    CHECK(h.to_string() == "msrp://relay.example.com;tcp");
    CHECK(h.effective_port() == 2855);
    h.user = "alice";
    h.parameters = {"foo=bar", "baz"};
    CHECK(h.to_string() == "msrp://alice@relay.example.com;tcp;foo=bar;baz");
}

TEST_CASE("uri: from_view copies the view", "[uri]") {
    const std::string text = "msrps://alice@[2001:db8::1]:8888/se/ss;ws;a=1;b";
    msrp::uri_view v;
    REQUIRE_FALSE(msrp::parse_uri_view(text, v));
    const auto u = msrp::URI::from_view(v);
    CHECK(u.use_tls);
    CHECK(u.user == "alice");
    CHECK(u.host == "2001:db8::1");
    CHECK(u.port == 8888);
    CHECK(u.session_id == "se/ss");
    CHECK(u.transport == "ws");
    CHECK(u.parameters == std::vector<std::string>{"a=1", "b"});
}

// ---------------------------------------------------------------------------
// Paths

TEST_CASE("path: URIs separated by single SP", "[uri][path]") {
    const std::string two = "msrp://relay.example.com:2855/r1;tcp msrp://bob.example.com:8888/9di4eae923wzd;tcp";
    msrp::Path p;
    REQUIRE(msrp::parse_path(two, p) == std::error_code{});
    REQUIRE(p.size() == 2);
    CHECK(p[0].host == "relay.example.com");
    CHECK(p[0].session_id == "r1");
    CHECK(p[1].host == "bob.example.com");
    CHECK(p[1].port == 8888);
    CHECK(msrp::format_path(p) == two);

    const std::string three =
        "msrps://a.example.com:1/x;tcp msrps://[2001:db8::1]:2/y;tcp msrps://alice@c.example.com/z;tcp;p=1";
    REQUIRE(msrp::parse_path(three, p) == std::error_code{});
    REQUIRE(p.size() == 3);
    CHECK(p[0].host == "a.example.com");
    CHECK(p[1].host == "2001:db8::1");
    CHECK(p[2].user == "alice");
    CHECK(p[2].parameters == std::vector<std::string>{"p=1"});
    CHECK(msrp::format_path(p) == three);

    const auto one = msrp::parse_path(std::string_view("msrps://relay.example.com;tcp"));
    REQUIRE(one.size() == 1);
    CHECK(one[0].effective_port() == 2855);
    CHECK(msrp::format_path(one) == "msrps://relay.example.com;tcp");
}

TEST_CASE("path: malformed paths are rejected", "[uri][path]") {
    const char* const table[] = {
        "",
        " ",
        "msrp://a.example.com:1/x;tcp  msrp://b.example.com:2/y;tcp",
        " msrp://a.example.com:1/x;tcp",
        "msrp://a.example.com:1/x;tcp ",
        "msrp://a.example.com:1/x;tcp\tmsrp://b.example.com:2/y;tcp",
        "msrp://a.example.com:1/x;tcp sip://b.example.com:2/y;tcp",
        "msrp://a.example.com:1/x;tcp msrp://b.example.com:2/y",
        "msrp://a.example.com:1/x;tcp msrp://192.0.2.1/y;tcp msrp://c.example.com:3/z;tcp",
    };
    for (const char* text : table) {
        INFO("path: '" << text << "'");
        msrp::Path p;
        CHECK(msrp::parse_path(text, p) == bad_uri());
        CHECK_THROWS_AS(msrp::parse_path(std::string_view(text)), std::system_error);
        int visits = 0;
        CHECK(msrp::for_each_uri(std::string_view(text), [&](const msrp::uri_view&) { ++visits; }) == bad_uri());
    }
}

TEST_CASE("path: for_each_uri visits every URI as views into the text", "[uri][path]") {
    const std::string text =
        "msrp://a.example.com:1/x;tcp msrps://[2001:db8::1]:2/y;ws msrp://bob@c.example.com/z;tcp";
    std::vector<std::string> hosts;
    std::vector<bool> tls;
    bool all_inside = true;
    const auto ec = msrp::for_each_uri(std::string_view(text), [&](const msrp::uri_view& v) {
        hosts.emplace_back(v.host);
        tls.push_back(v.use_tls);
        all_inside = all_inside && inside(v.host, text) && inside(v.transport, text);
    });
    CHECK(ec == std::error_code{});
    CHECK(hosts == std::vector<std::string>{"a.example.com", "2001:db8::1", "c.example.com"});
    CHECK(tls == std::vector<bool>{false, true, false});
    CHECK(all_inside);
}

TEST_CASE("path: format_path joins with one SP", "[uri][path]") {
    msrp::Path p;
    CHECK(msrp::format_path(p).empty());
    msrp::URI a;
    a.host = "a.example.com";
    a.port = 1;
    a.session_id = "x";
    msrp::URI b;
    b.host = "::1";
    b.port = 2;
    b.session_id = "y";
    b.use_tls = true;
    p = {a, b, a};
    CHECK(msrp::format_path(p) == "msrp://a.example.com:1/x;tcp msrps://[::1]:2/y;tcp msrp://a.example.com:1/x;tcp");
    std::string out = "To-Path: ";
    msrp::append_path(out, {b});
    CHECK(out == "To-Path: msrps://[::1]:2/y;tcp");
}

TEST_CASE("path: paths_equivalent compares element-wise", "[uri][path]") {
    struct row {
        const char* a;
        const char* b;
        bool equal;
    };
    const row table[] = {
        {"msrp://a.example.com:1/x;tcp msrp://b.example.com:2/y;tcp",
         "MSRP://A.EXAMPLE.COM:1/x;TCP msrp://alice@b.example.com:2/y;tcp;foo", true},
        {"msrp://[2001:db8::1]:1/x;tcp", "msrp://[2001:db8:0:0::1]:1/x;tcp", true},
        // order matters
        {"msrp://a.example.com:1/x;tcp msrp://b.example.com:2/y;tcp",
         "msrp://b.example.com:2/y;tcp msrp://a.example.com:1/x;tcp", false},
        // length matters
        {"msrp://a.example.com:1/x;tcp msrp://b.example.com:2/y;tcp", "msrp://a.example.com:1/x;tcp", false},
        {"msrp://a.example.com:1/x;tcp", "msrp://a.example.com:1/x;tcp msrp://a.example.com:1/x;tcp", false},
        // one element differs
        {"msrp://a.example.com:1/x;tcp msrp://b.example.com:2/y;tcp",
         "msrp://a.example.com:1/x;tcp msrp://b.example.com:2/Y;tcp", false},
        {"msrp://a.example.com:1/x;tcp msrp://b.example.com:2/y;tcp",
         "msrp://a.example.com/x;tcp msrp://b.example.com:2/y;tcp", false},
    };
    for (const auto& r : table) {
        INFO(r.a << "  vs  " << r.b);
        const auto a = msrp::parse_path(std::string_view(r.a));
        const auto b = msrp::parse_path(std::string_view(r.b));
        CHECK(msrp::paths_equivalent(a, b) == r.equal);
        CHECK(msrp::paths_equivalent(b, a) == r.equal);
    }
    CHECK(msrp::paths_equivalent(msrp::Path{}, msrp::Path{}));
}
