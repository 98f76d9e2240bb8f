// application/im-iscomposing+xml (RFC 3994): the RFC's examples, the XML
// the reader takes and refuses, format_iscomposing, and the composer and
// receiver state machines on a fake clock.

#include "../support/vectors.hpp"

#include <msrp/protocol/error.hpp>
#include <msrp/protocol/iscomposing.hpp>
#include <msrp/protocol/iscomposing_state.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

using msrp::composing_state;
using msrp::errc;
using msrp::IsComposing;
namespace t = msrp::test;
using namespace std::chrono_literals;
using time_point = std::chrono::steady_clock::time_point;

namespace {

std::string vector(const std::string& relative) { return t::read_file(t::vectors_dir() + "/" + relative); }

IsComposing parse_ok(std::string_view xml, const msrp::iscomposing_limits& limits = {}) {
    IsComposing doc;
    const auto ec = msrp::parse_iscomposing(xml, doc, limits);
    INFO(xml);
    INFO(ec.message());
    REQUIRE_FALSE(ec);
    return doc;
}

std::error_code parse_error(std::string_view xml, const msrp::iscomposing_limits& limits = {}) {
    IsComposing doc;
    doc.content_type = "untouched";
    const auto ec = msrp::parse_iscomposing(xml, doc, limits);
    CHECK(doc.content_type == "untouched"); // `out` is only written on success
    return ec;
}

void check_round_trip(const IsComposing& doc) {
    const std::string text = msrp::format_iscomposing(doc);
    const IsComposing again = parse_ok(text);
    CHECK(again == doc);
    CHECK(msrp::format_iscomposing(again) == text);
}

// A document in the default name space around `children`.
std::string doc_with(std::string_view children) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
           "<isComposing xmlns=\"urn:ietf:params:xml:ns:im-iscomposing\">" +
           std::string(children) + "</isComposing>";
}

// The vectors have CRLF line ends; XML reads them as LF, so LF-only must
// give the same document.
std::string to_lf(std::string_view s) {
    std::string out;
    for (char c : s)
        if (c != '\r')
            out += c;
    return out;
}

} // namespace

TEST_CASE("iscomposing: RFC 3994 §5 active example", "[iscomposing]") {
    const std::string text = vector("rfc3994-s5-active.xml");
    const IsComposing doc = parse_ok(text);
    CHECK(doc.state == composing_state::active);
    CHECK_FALSE(doc.last_active);
    CHECK(doc.content_type == "text/plain");
    REQUIRE(doc.refresh);
    CHECK(*doc.refresh == 90);
    check_round_trip(doc);
    CHECK(parse_ok(to_lf(text)) == doc);
}

TEST_CASE("iscomposing: RFC 3994 §5 idle example", "[iscomposing]") {
    const std::string text = vector("rfc3994-s5-idle.xml");
    const IsComposing doc = parse_ok(text);
    CHECK(doc.state == composing_state::idle);
    REQUIRE(doc.last_active);
    CHECK(*doc.last_active == "2003-01-27T10:43:00Z");
    CHECK(doc.content_type == "audio");
    CHECK_FALSE(doc.refresh);
    check_round_trip(doc);
    CHECK(parse_ok(to_lf(text)) == doc);
}

TEST_CASE("iscomposing: the RFC 3994 §6.1 schema is not a document", "[iscomposing]") {
    // Well formed XML, but its root is xs:schema.
    CHECK(parse_error(vector("rfc3994-s6.1-schema.xsd")) == errc::bad_iscomposing);
}

TEST_CASE("iscomposing: format_iscomposing writes the schema's order", "[iscomposing]") {
    IsComposing doc;
    doc.state = composing_state::active;
    doc.last_active = "2024-05-01T10:00:00.250+02:00";
    doc.content_type = "text/plain";
    doc.refresh = 60;
    CHECK(msrp::format_iscomposing(doc) == "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                                           "<isComposing xmlns=\"urn:ietf:params:xml:ns:im-iscomposing\">\n"
                                           "  <state>active</state>\n"
                                           "  <lastactive>2024-05-01T10:00:00.250+02:00</lastactive>\n"
                                           "  <contenttype>text/plain</contenttype>\n"
                                           "  <refresh>60</refresh>\n"
                                           "</isComposing>\n");
    check_round_trip(doc);

    // Only state is required; a zero refresh is not a positiveInteger.
    const IsComposing idle;
    CHECK(msrp::format_iscomposing(idle) == "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                                            "<isComposing xmlns=\"urn:ietf:params:xml:ns:im-iscomposing\">\n"
                                            "  <state>idle</state>\n"
                                            "</isComposing>\n");
    check_round_trip(idle);
    IsComposing zero;
    zero.refresh = 0;
    CHECK(msrp::format_iscomposing(zero) == msrp::format_iscomposing(idle));
    CHECK(msrp::iscomposing_content_type == "application/im-iscomposing+xml");
}

TEST_CASE("iscomposing: format escapes text", "[iscomposing]") {
    IsComposing doc;
    doc.content_type = "a<b>&c\"d'e]]>f\tg\nh\ri\x01j\xC3\xA9k\xFFl";
    const std::string text = msrp::format_iscomposing(doc);
    CHECK(text.find("a&lt;b&gt;&amp;c\"d'e]]&gt;f\tg\nh&#13;i j\xC3\xA9k\xEF\xBF\xBDl") != std::string::npos);
    const IsComposing again = parse_ok(text);
    CHECK(again.content_type == "a<b>&c\"d'e]]>f\tg\nh\ri j\xC3\xA9k\xEF\xBF\xBDl");
    check_round_trip(again);
}

TEST_CASE("iscomposing: name space prefixes", "[iscomposing]") {
    SECTION("prefixed root and children") {
        const IsComposing doc =
            parse_ok("<im:isComposing xmlns:im='urn:ietf:params:xml:ns:im-iscomposing'>"
                     "<im:state>active</im:state><im:refresh>5</im:refresh></im:isComposing>");
        CHECK(doc.state == composing_state::active);
        CHECK(doc.refresh == std::optional<std::uint32_t>(5));
    }
    SECTION("prefix declared on a child") {
        const IsComposing doc = parse_ok(
            "<isComposing xmlns='urn:ietf:params:xml:ns:im-iscomposing'>"
            "<c:state xmlns:c='urn:ietf:params:xml:ns:im-iscomposing'>active</c:state></isComposing>");
        CHECK(doc.state == composing_state::active);
    }
    SECTION("prefixed root, default name space for the children") {
        const IsComposing doc = parse_ok(
            "<a:isComposing xmlns:a='urn:ietf:params:xml:ns:im-iscomposing' "
            "xmlns='urn:ietf:params:xml:ns:im-iscomposing'><state>idle</state></a:isComposing>");
        CHECK(doc.state == composing_state::idle);
    }
    SECTION("children outside the name space are not the fields") {
        // `state` in no name space is an unknown element: no state at all.
        CHECK(parse_error("<im:isComposing xmlns:im='urn:ietf:params:xml:ns:im-iscomposing'>"
                          "<state>active</state></im:isComposing>") == errc::bad_iscomposing);
        CHECK(parse_error(doc_with("<state xmlns=''>active</state>")) == errc::bad_iscomposing);
        CHECK(parse_error(doc_with("<x:state xmlns:x='urn:other'>active</x:state>")) == errc::bad_iscomposing);
        const IsComposing doc =
            parse_ok(doc_with("<x:state xmlns:x='urn:other'>bogus</x:state><state>active</state>"));
        CHECK(doc.state == composing_state::active);
    }
    SECTION("the prefix's scope ends with its element") {
        CHECK(parse_error(doc_with("<state>idle</state><x:a xmlns:x='urn:x'/><x:b/>")) == errc::bad_iscomposing);
    }
    SECTION("attributes, prefixed or not, are ignored") {
        const IsComposing doc = parse_ok(doc_with("<state a=\"1\" xml:lang='en' b = '&lt;'>idle</state>"));
        CHECK(doc.state == composing_state::idle);
    }
}

TEST_CASE("iscomposing: references, CDATA and white space in text", "[iscomposing]") {
    const IsComposing doc = parse_ok(
        doc_with("<state>\n  &#97;ct&#x69;ve \t</state>"
                 "<contenttype>a&lt;b&gt;&amp;&quot;&apos;&#233;&#xE9;&#x1F600;<![CDATA[<&>]]>\r\nz</contenttype>"
                 "<refresh> +0030 </refresh>"
                 "<lastactive>\n2000-12-13T13:40:00-08:00\n</lastactive>"));
    CHECK(doc.state == composing_state::active);
    CHECK(doc.content_type == "a<b>&\"'\xC3\xA9\xC3\xA9\xF0\x9F\x98\x80<&>\nz");
    CHECK(doc.refresh == std::optional<std::uint32_t>(30));
    CHECK(doc.last_active == std::optional<std::string>("2000-12-13T13:40:00-08:00"));
    check_round_trip(doc);

    // &#13; is a CR that line-end normalization does not touch.
    CHECK(parse_ok(doc_with("<state>idle</state><contenttype>a&#13;b\rc</contenttype>")).content_type ==
          "a\rb\nc");
    // An empty contenttype is no content type.
    CHECK(parse_ok(doc_with("<state>idle</state><contenttype/>")).content_type.empty());
}

TEST_CASE("iscomposing: prolog, comments, order and unknown elements", "[iscomposing]") {
    SECTION("no XML declaration, a byte order mark, single quotes") {
        CHECK(parse_ok("<isComposing xmlns='urn:ietf:params:xml:ns:im-iscomposing'><state>idle</state>"
                       "</isComposing>")
                  .state == composing_state::idle);
        CHECK(parse_ok("\xEF\xBB\xBF<?xml version='1.0'?><isComposing "
                       "xmlns='urn:ietf:params:xml:ns:im-iscomposing'><state>idle</state></isComposing>")
                  .state == composing_state::idle);
        CHECK(parse_ok("<?xml version=\"1.1\" encoding='us-ascii' standalone='yes' ?>" +
                       doc_with("<state>idle</state>").substr(39))
                  .state == composing_state::idle);
    }
    SECTION("comments and processing instructions anywhere") {
        const IsComposing doc = parse_ok(
            "<?xml version=\"1.0\"?><!-- before --><?app data?>\n"
            "<isComposing xmlns=\"urn:ietf:params:xml:ns:im-iscomposing\"><!-- - a -->"
            "<state><!----><?pi?>act<!-- x -->ive</state><?xml-stylesheet href='x'?>"
            "</isComposing >\n<!-- after -->\n");
        CHECK(doc.state == composing_state::active);
    }
    SECTION("fields in any order") {
        const IsComposing doc =
            parse_ok(doc_with("<refresh>7</refresh><contenttype>video</contenttype><state>active</state>"));
        CHECK(doc.state == composing_state::active);
        CHECK(doc.content_type == "video");
        CHECK(doc.refresh == std::optional<std::uint32_t>(7));
    }
    SECTION("unknown elements skipped with all they contain") {
        const IsComposing doc = parse_ok(doc_with(
            "<ext:typing xmlns:ext='urn:example:ext' level='3'><ext:a><b>x &amp; y</b><![CDATA[<state>]]></ext:a>"
            "<state>idle</state></ext:typing>"
            "<state>active</state>"
            "<future>1</future><state2/>"
            "<contenttype>text/html</contenttype>"));
        CHECK(doc.state == composing_state::active);
        CHECK(doc.content_type == "text/html");
    }
}

TEST_CASE("iscomposing: malformed documents are bad_iscomposing", "[iscomposing]") {
    const std::vector<std::string> cases = {
        // no root, wrong root
        "",
        "   ",
        "<?xml version=\"1.0\"?>",
        "<!-- only a comment -->",
        "text",
        doc_with("<state>idle</state>") + "<isComposing/>",
        doc_with("<state>idle</state>") + "trailing",
        "<IsComposing xmlns='urn:ietf:params:xml:ns:im-iscomposing'><state>idle</state></IsComposing>",
        "<isComposing><state>idle</state></isComposing>",
        "<isComposing xmlns='urn:ietf:params:xml:ns:im-composing'><state>idle</state></isComposing>",
        "<im:isComposing><im:state>idle</im:state></im:isComposing>",
        // missing or bad state
        doc_with(""),
        doc_with("<contenttype>text/plain</contenttype>"),
        "<isComposing xmlns='urn:ietf:params:xml:ns:im-iscomposing'/>",
        doc_with("<state></state>"),
        doc_with("<state/>"),
        doc_with("<state>typing</state>"),
        doc_with("<state>Active</state>"),
        doc_with("<state>act ive</state>"),
        doc_with("<state>idle</state><state>idle</state>"),
        doc_with("<state><b>idle</b></state>"),
        // bad refresh
        doc_with("<state>active</state><refresh>0</refresh>"),
        doc_with("<state>active</state><refresh>000</refresh>"),
        doc_with("<state>active</state><refresh>-5</refresh>"),
        doc_with("<state>active</state><refresh>4294967296</refresh>"),
        doc_with("<state>active</state><refresh>99999999999999999999999</refresh>"),
        doc_with("<state>active</state><refresh>1.5</refresh>"),
        doc_with("<state>active</state><refresh>+</refresh>"),
        doc_with("<state>active</state><refresh></refresh>"),
        doc_with("<state>active</state><refresh>1 2</refresh>"),
        doc_with("<state>active</state><refresh>1</refresh><refresh>1</refresh>"),
        // bad lastactive
        doc_with("<state>idle</state><lastactive>yesterday</lastactive>"),
        doc_with("<state>idle</state><lastactive>2003-01-27T10:43:00</lastactive>"),
        doc_with("<state>idle</state><lastactive>2003-02-30T10:43:00Z</lastactive>"),
        doc_with("<state>idle</state><lastactive></lastactive>"),
        // unclosed and mismatched tags
        doc_with("<state>idle</state>").substr(0, doc_with("<state>idle</state>").size() - 1),
        "<isComposing xmlns='urn:ietf:params:xml:ns:im-iscomposing'><state>idle</state>",
        doc_with("<state>idle"),
        doc_with("<state>idle</stat>"),
        doc_with("<state>idle</state><x>"),
        doc_with("<state>idle</state><x></y>"),
        doc_with("<state>idle</state></x>"),
        doc_with("<state>idle</state ") ,
        doc_with("<state>idle</ state>"),
        doc_with("<state>idle</state><x/ >"),
        doc_with("<state>idle</state><x"),
        doc_with("<state>idle</state><1x/>"),
        doc_with("<state>idle</state><a:b:c xmlns:a='urn:a'/>"),
        doc_with("<state>idle</state><:x/>"),
        doc_with("<state>idle</state><x:/>"),
        doc_with("<state>idle</state><x:y/>"),
        // attributes
        doc_with("<state a='1' a='2'>idle</state>"),
        doc_with("<state a=1>idle</state>"),
        doc_with("<state a>idle</state>"),
        doc_with("<state a='1'b='2'>idle</state>"),
        doc_with("<state a='<'>idle</state>"),
        doc_with("<state a='&'>idle</state>"),
        doc_with("<state a='1>idle</state>"),
        doc_with("<state x:a='1'>idle</state>"),
        doc_with("<state xmlns:p=''>idle</state>"),
        doc_with("<state xmlns:xmlns='urn:x'>idle</state>"),
        doc_with("<state xmlns:xml='urn:x'>idle</state>"),
        // text and references
        doc_with("text<state>idle</state>"),
        doc_with("<state>idle</state>&amp;"),
        doc_with("<state>idle</state><![CDATA[x]]>"),
        doc_with("<state>id&le;</state>"),
        doc_with("<state>idle &</state>"),
        doc_with("<state>idle &amp</state>"),
        doc_with("<state>&#0;idle</state>"),
        doc_with("<state>&#1;idle</state>"),
        doc_with("<state>&#xD800;idle</state>"),
        doc_with("<state>&#x110000;idle</state>"),
        doc_with("<state>&#xFFFE;idle</state>"),
        doc_with("<state>&#X41;idle</state>"),
        doc_with("<state>&#;idle</state>"),
        doc_with("<state>&#x000000041;idle</state>"),
        doc_with("<state>idle</state><x>]]></x>"),
        doc_with("<state>idle</state><x><![CDATA[x</x>"),
        // markup
        doc_with("<state>idle</state><!-- a -- b -->"),
        doc_with("<state>idle</state><!-- a --->"),
        doc_with("<state>idle</state><!-- a"),
        doc_with("<state>idle</state><? x?>"),
        doc_with("<state>idle</state><?xml x?>"),
        doc_with("<state>idle</state><?pi"),
        doc_with("<state>idle</state><!ELEMENT x>"),
        "<!DOCTYPE isComposing [<!ENTITY a 'active'>]>" + doc_with("<state>&a;</state>"),
        // XML declaration
        " <?xml version='1.0'?>" + doc_with("<state>idle</state>").substr(38),
        "<?xml?>" + doc_with("<state>idle</state>").substr(38),
        "<?xml encoding='UTF-8'?>" + doc_with("<state>idle</state>").substr(38),
        "<?xml version='2.0'?>" + doc_with("<state>idle</state>").substr(38),
        "<?xml version='1.0' encoding='ISO-8859-1'?>" + doc_with("<state>idle</state>").substr(38),
        "<?xml version='1.0' standalone='maybe'?>" + doc_with("<state>idle</state>").substr(38),
        "<?xml version='1.0' standalone='yes' encoding='UTF-8'?>" + doc_with("<state>idle</state>").substr(38),
        "<?xml version='1.0'encoding='UTF-8'?>" + doc_with("<state>idle</state>").substr(38),
        "<?xml version='1.0'>" + doc_with("<state>idle</state>").substr(38),
        doc_with("<state>idle</state>") + "<?xml version='1.0'?>",
        // characters XML does not allow
        doc_with("<state>idle\x01</state>"),
        doc_with("<state>idle</state>") + std::string(1, '\0'),
        doc_with("<contenttype>\xC3</contenttype><state>idle</state>"),
        doc_with("<contenttype>\xC0\xAF</contenttype><state>idle</state>"),
        doc_with("<contenttype>\xED\xA0\x80</contenttype><state>idle</state>"),
        doc_with("<contenttype>\xEF\xBF\xBF</contenttype><state>idle</state>"),
    };
    for (const std::string& xml : cases) {
        INFO(xml);
        CHECK(parse_error(xml) == errc::bad_iscomposing);
    }
    const std::error_code ec = errc::bad_iscomposing;
    CHECK(ec.message().find("is-composing") != std::string::npos);
}

TEST_CASE("iscomposing: limits", "[iscomposing]") {
    const std::string text = vector("rfc3994-s5-active.xml");
    msrp::iscomposing_limits limits;
    limits.max_bytes = text.size();
    parse_ok(text, limits);
    limits.max_bytes = text.size() - 1;
    CHECK(parse_error(text, limits) == errc::bad_iscomposing);

    SECTION("the default size limit") {
        const std::string padding(msrp::iscomposing_limits{}.max_bytes, ' ');
        CHECK(parse_error(doc_with("<state>idle</state>") + padding) == errc::bad_iscomposing);
    }
    SECTION("nesting depth: the root counts as 1") {
        const auto nested = [](std::size_t levels) {
            std::string open, close;
            for (std::size_t i = 0; i < levels; ++i) {
                open += "<x>";
                close = "</x>" + close;
            }
            return doc_with("<state>idle</state>" + open + close);
        };
        const std::size_t max_depth = msrp::iscomposing_limits{}.max_depth;
        parse_ok(nested(max_depth - 1));
        CHECK(parse_error(nested(max_depth)) == errc::bad_iscomposing);
        msrp::iscomposing_limits deep;
        deep.max_depth = max_depth + 1;
        parse_ok(nested(max_depth), deep);
        // Far too deep and never closed, under limits that let it run:
        // an error, not a crash (the reader does not recurse).
        msrp::iscomposing_limits roomy;
        roomy.max_bytes = 1 << 20;
        roomy.max_depth = 1 << 20;
        std::string very_deep = "<isComposing xmlns='urn:ietf:params:xml:ns:im-iscomposing'><state>idle</state>";
        for (int i = 0; i < 100000; ++i)
            very_deep += "<x>";
        CHECK(parse_error(very_deep + "</isComposing>", roomy) == errc::bad_iscomposing);
        CHECK(parse_error(very_deep, roomy) == errc::bad_iscomposing);
        CHECK(parse_error(very_deep + "</isComposing>") == errc::bad_iscomposing);
    }
}

TEST_CASE("iscomposing: composer state machine (RFC 3994 §3.2)", "[iscomposing]") {
    const time_point t0{};
    msrp::composing_sender sender({}, "text/plain");
    CHECK(sender.state() == composing_state::idle);
    CHECK_FALSE(sender.next_deadline());
    CHECK_FALSE(sender.tick(t0));

    SECTION("first keystroke sends active, the idle timeout sends idle") {
        const auto doc = sender.typed(t0);
        REQUIRE(doc);
        CHECK(doc->state == composing_state::active);
        CHECK(doc->content_type == "text/plain");
        CHECK(doc->refresh == std::optional<std::uint32_t>(120));
        CHECK_FALSE(doc->last_active);
        CHECK(sender.state() == composing_state::active);
        CHECK(sender.next_deadline() == t0 + 15s);

        CHECK_FALSE(sender.typed(t0 + 5s)); // still active: nothing to send
        CHECK(sender.next_deadline() == t0 + 20s);
        CHECK_FALSE(sender.tick(t0 + 19s));
        CHECK(sender.state() == composing_state::active);

        const auto idle = sender.tick(t0 + 20s);
        REQUIRE(idle);
        CHECK(*idle == IsComposing{});
        CHECK(sender.state() == composing_state::idle);
        CHECK_FALSE(sender.next_deadline());
        CHECK_FALSE(sender.tick(t0 + 21s)); // once only

        // Typing again starts over.
        const auto again = sender.typed(t0 + 30s);
        REQUIRE(again);
        CHECK(again->state == composing_state::active);
    }
    SECTION("steady typing sends one active document per refresh interval") {
        std::vector<time_point> when;
        for (auto t = t0; t <= t0 + 250s; t += 10s) {
            if (const auto doc = sender.typed(t)) {
                CHECK(doc->state == composing_state::active);
                when.push_back(t);
            }
            REQUIRE_FALSE(when.empty());
            CHECK_FALSE(sender.tick(t + 1s));
            CHECK(sender.next_deadline() == std::min(t + 15s, when.back() + 108s));
        }
        // Each repeat a tenth of the announced 120 s early: at the first
        // keystroke 108 s or more after the one before.
        CHECK(when == std::vector<time_point>{t0, t0 + 110s, t0 + 220s});
    }
    SECTION("sending the message goes idle without a document") {
        REQUIRE(sender.typed(t0));
        CHECK_FALSE(sender.message_sent(t0 + 3s));
        CHECK(sender.state() == composing_state::idle);
        CHECK_FALSE(sender.next_deadline());
        CHECK_FALSE(sender.tick(t0 + 60s)); // no idle timeout pending
        CHECK_FALSE(sender.message_sent(t0 + 61s));
        const auto doc = sender.typed(t0 + 62s);
        REQUIRE(doc);
        CHECK(doc->state == composing_state::active);
    }
    SECTION("typing after a missed tick stays active") {
        REQUIRE(sender.typed(t0));
        // tick was not called at t0+15s; the next keystroke keeps the state.
        CHECK_FALSE(sender.typed(t0 + 40s));
        CHECK(sender.state() == composing_state::active);
        CHECK(sender.next_deadline() == t0 + 55s);
    }
}

TEST_CASE("iscomposing: composer refresh from tick", "[iscomposing]") {
    const time_point t0 = time_point{} + 1000s;
    msrp::iscomposing_timing timing;
    timing.active_refresh = 60s;
    timing.idle_timeout = 150s;
    msrp::composing_sender sender(timing);
    const auto first = sender.typed(t0);
    REQUIRE(first);
    CHECK(first->refresh == std::optional<std::uint32_t>(60));
    CHECK(first->content_type.empty());
    CHECK(sender.next_deadline() == t0 + 54s); // 60 s announced, repeated 6 s early
    CHECK_FALSE(sender.tick(t0 + 53s));
    const auto refresh = sender.tick(t0 + 54s);
    REQUIRE(refresh);
    CHECK(*refresh == *first);
    CHECK(sender.next_deadline() == t0 + 108s);
    REQUIRE(sender.tick(t0 + 125s)); // late: sent now, the next one 54 s from now
    CHECK(sender.next_deadline() == t0 + 150s);
    const auto idle = sender.tick(t0 + 150s);
    REQUIRE(idle);
    CHECK(idle->state == composing_state::idle);

    SECTION("idle wins when both are due") {
        msrp::iscomposing_timing same;
        same.active_refresh = 10s;
        same.idle_timeout = 10s;
        msrp::composing_sender s(same);
        REQUIRE(s.typed(t0));
        const auto doc = s.tick(t0 + 10s);
        REQUIRE(doc);
        CHECK(doc->state == composing_state::idle);
    }
    SECTION("no refresh announced when the interval is zero") {
        msrp::iscomposing_timing zero;
        zero.active_refresh = 0s;
        msrp::composing_sender s(zero);
        const auto doc = s.typed(t0);
        REQUIRE(doc);
        CHECK_FALSE(doc->refresh);
    }
}

TEST_CASE("iscomposing: receiver state machine (RFC 3994 §3.3)", "[iscomposing]") {
    const time_point t0{};
    msrp::composing_receiver receiver;
    CHECK(receiver.state() == composing_state::idle);
    CHECK_FALSE(receiver.next_deadline());
    CHECK_FALSE(receiver.tick(t0 + 1000s));
    CHECK_FALSE(receiver.message_received(t0));

    IsComposing active;
    active.state = composing_state::active;
    active.content_type = "text/plain";
    active.refresh = 90;

    SECTION("active expires after its refresh; a refresh extends it") {
        CHECK(receiver.received(active, t0));
        CHECK(receiver.state() == composing_state::active);
        CHECK(receiver.content_type() == "text/plain");
        CHECK(receiver.next_deadline() == t0 + 90s);
        CHECK_FALSE(receiver.received(active, t0 + 30s)); // nothing visible changes
        CHECK(receiver.next_deadline() == t0 + 120s);
        CHECK_FALSE(receiver.tick(t0 + 119s));
        CHECK(receiver.tick(t0 + 120s));
        CHECK(receiver.state() == composing_state::idle);
        CHECK(receiver.content_type().empty());
        CHECK_FALSE(receiver.next_deadline());
        CHECK_FALSE(receiver.tick(t0 + 121s));
    }
    SECTION("without refresh the default applies") {
        active.refresh.reset();
        CHECK(receiver.received(active, t0));
        CHECK(receiver.next_deadline() == t0 + 120s);
        msrp::iscomposing_timing timing;
        timing.receiver_default_timeout = 30s;
        msrp::composing_receiver short_receiver(timing);
        CHECK(short_receiver.received(active, t0));
        CHECK(short_receiver.next_deadline() == t0 + 30s);
        CHECK(short_receiver.tick(t0 + 30s));
    }
    SECTION("an idle document or a message ends it") {
        CHECK(receiver.received(active, t0));
        CHECK(receiver.received(IsComposing{}, t0 + 1s));
        CHECK(receiver.state() == composing_state::idle);
        CHECK_FALSE(receiver.next_deadline());
        CHECK_FALSE(receiver.received(IsComposing{}, t0 + 2s));

        CHECK(receiver.received(active, t0 + 3s));
        CHECK(receiver.message_received(t0 + 4s));
        CHECK(receiver.state() == composing_state::idle);
        CHECK_FALSE(receiver.message_received(t0 + 5s));
        CHECK_FALSE(receiver.tick(t0 + 500s));
    }
    SECTION("a change of content type is visible") {
        CHECK(receiver.received(active, t0));
        active.content_type = "audio";
        CHECK(receiver.received(active, t0 + 1s));
        CHECK(receiver.content_type() == "audio");
    }
    SECTION("a huge refresh saturates instead of overflowing") {
        active.refresh = UINT32_MAX;
        const time_point late = time_point::max() - 10s;
        CHECK(receiver.received(active, late));
        CHECK(receiver.next_deadline() == time_point::max());
        CHECK_FALSE(receiver.tick(late + 5s));
    }
    SECTION("parsed documents drive it") {
        CHECK(receiver.received(parse_ok(vector("rfc3994-s5-active.xml")), t0));
        CHECK(receiver.next_deadline() == t0 + 90s);
        CHECK(receiver.received(parse_ok(vector("rfc3994-s5-idle.xml")), t0 + 10s));
        CHECK(receiver.state() == composing_state::idle);
    }
}

TEST_CASE("iscomposing: sender and receiver together", "[iscomposing]") {
    const time_point t0{};
    msrp::composing_sender sender({}, "text/plain");
    msrp::composing_receiver receiver;
    // Every document goes through the wire format.
    const auto deliver = [&](const std::optional<IsComposing>& doc, time_point now) {
        if (!doc)
            return false;
        return receiver.received(parse_ok(msrp::format_iscomposing(*doc)), now);
    };
    // Typing for five minutes without pause keeps the receiver active:
    // the sender's refreshes arrive before the receiver's deadline.
    for (auto t = t0; t <= t0 + 300s; t += 2s) {
        deliver(sender.typed(t), t);
        if (const auto d = sender.next_deadline(); d && *d <= t + 2s)
            deliver(sender.tick(*d), *d);
        receiver.tick(t + 1s);
        CHECK(receiver.state() == composing_state::active);
    }
    // A pause: the sender's idle document reaches the receiver.
    const auto deadline = sender.next_deadline();
    REQUIRE(deadline);
    CHECK(deliver(sender.tick(*deadline), *deadline));
    CHECK(receiver.state() == composing_state::idle);
    // Typing, then the message: both go idle, no document needed.
    CHECK(deliver(sender.typed(t0 + 400s), t0 + 400s));
    CHECK_FALSE(deliver(sender.message_sent(t0 + 401s), t0 + 401s));
    CHECK(receiver.message_received(t0 + 401s));
    CHECK(sender.state() == receiver.state());
}

TEST_CASE("iscomposing: a long composition stays shown though refreshes arrive late", "[iscomposing]") {
    // Keystrokes every 5 s for ten minutes; the first document takes 1 s
    // to reach the receiver, the later ones 4 s. The repeats come early
    // enough that the receiver never lets the announced refresh run out.
    const time_point t0 = time_point{} + 1000s;
    msrp::iscomposing_timing timing;
    timing.idle_timeout = 30s;
    msrp::composing_sender sender(timing);
    msrp::composing_receiver receiver(timing);
    std::vector<std::pair<time_point, IsComposing>> in_flight;
    int went_idle = 0, documents = 0;
    for (auto t = t0; t <= t0 + 600s; t += 1s) {
        const auto delay = t == t0 ? 1s : 4s;
        if ((t - t0) % 5s == 0s)
            if (auto doc = sender.typed(t))
                in_flight.emplace_back(t + delay, *doc);
        if (const auto due = sender.next_deadline(); due && *due <= t)
            if (auto doc = sender.tick(t))
                in_flight.emplace_back(t + delay, *doc);
        for (auto it = in_flight.begin(); it != in_flight.end();) {
            if (it->first > t) {
                ++it;
                continue;
            }
            receiver.received(it->second, t);
            ++documents;
            it = in_flight.erase(it);
        }
        if (const auto expiry = receiver.next_deadline(); expiry && *expiry <= t && receiver.tick(t))
            ++went_idle;
        if (t >= t0 + 1s)
            REQUIRE(receiver.state() == composing_state::active);
    }
    CHECK(went_idle == 0);
    CHECK(documents == 6); // the first, then one every 108 s
}
