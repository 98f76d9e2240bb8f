// The XML-subset reader under is-composing (lib/protocol/xml_reader): the
// events a visitor sees, name spaces, references, CDATA, the bounds, and
// why malformed input is refused. Vocabulary rules live in
// iscomposing_test.cpp.

#include "protocol/xml_reader.hpp"

#include <catch2/catch.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

using msrp::detail::read_xml;
using msrp::detail::xml_error;
using msrp::detail::xml_limits;

namespace {

// Writes every event as one line: `<{ns}local@depth a{ns}b="v"`, `>{ns}local@depth`,
// `text@depth[cdata][blank]="…"`.
class event_log final : public msrp::detail::xml_visitor {
public:
    std::vector<std::string> events;
    // Refuse the document at this start tag's local name.
    std::string_view refuse_at;

    bool start_element(const msrp::detail::xml_element& e) override {
        std::string line = "<" + name(e.name) + "@" + std::to_string(e.depth);
        for (const auto& a : e.attributes)
            line += " " + name(a.name) + "=\"" + std::string(a.value) + "\"";
        events.push_back(line);
        return e.name.local != refuse_at;
    }
    bool end_element(const msrp::detail::xml_element& e) override {
        CHECK(e.attributes.empty());
        events.push_back(">" + name(e.name) + "@" + std::to_string(e.depth));
        return true;
    }
    bool text(const msrp::detail::xml_text& t) override {
        events.push_back("text@" + std::to_string(t.depth) + (t.cdata ? "[cdata]" : "") + (t.blank ? "[blank]" : "") +
                         "=\"" + std::string(t.text) + "\"");
        return true;
    }

private:
    static std::string name(const msrp::detail::xml_name& n) {
        CHECK(n.qname == (n.prefix.empty() ? std::string(n.local) : std::string(n.prefix) + ":" + std::string(n.local)));
        return "{" + std::string(n.ns) + "}" + std::string(n.local);
    }
};

std::vector<std::string> events_of(std::string_view doc) {
    event_log log;
    INFO(doc);
    REQUIRE(read_xml(doc, log) == xml_error::none);
    return log.events;
}

xml_error error_of(std::string_view doc, const xml_limits& limits = {}) {
    event_log log;
    return read_xml(doc, log, limits);
}

using events = std::vector<std::string>;

} // namespace

TEST_CASE("xml_reader: events in document order", "[xml]") {
    CHECK(events_of("<?xml version='1.0'?>\n<!-- c --><r a='1'>\n <e/>t<?pi x?>u</r>\n") ==
          events{"<{}r@1 {}a=\"1\"", "text@1[blank]=\"\n \"", "<{}e@2", ">{}e@2", "text@1=\"t\"", "text@1=\"u\"",
                 ">{}r@1"});
}

TEST_CASE("xml_reader: name spaces", "[xml]") {
    SECTION("default, prefixed, redeclared, and the end of a declaration's scope") {
        CHECK(events_of("<r xmlns='urn:d' xmlns:p='urn:p'><p:a><b xmlns='urn:e'/></p:a><c/></r>") ==
              events{"<{urn:d}r@1", "<{urn:p}a@2", "<{urn:e}b@3", ">{urn:e}b@3", ">{urn:p}a@2", "<{urn:d}c@2",
                     ">{urn:d}c@2", ">{urn:d}r@1"});
        CHECK(events_of("<r><a xmlns='urn:a'/><b/></r>") ==
              events{"<{}r@1", "<{urn:a}a@2", ">{urn:a}a@2", "<{}b@2", ">{}b@2", ">{}r@1"});
        // xmlns='' undeclares the default name space.
        CHECK(events_of("<r xmlns='urn:d'><a xmlns=''/></r>")[1] == "<{}a@2");
    }
    SECTION("attributes: unprefixed ones are in no name space; declarations are not attributes") {
        CHECK(events_of("<r xmlns='urn:d' xmlns:p='urn:p' a='1' p:b='2' xml:lang='en'/>")[0] ==
              "<{urn:d}r@1 {}a=\"1\" {urn:p}b=\"2\" {http://www.w3.org/XML/1998/namespace}lang=\"en\"");
        // A declaration later in the tag applies to the tag's own names.
        CHECK(events_of("<p:r p:a='1' xmlns:p='urn:p'/>")[0] == "<{urn:p}r@1 {urn:p}a=\"1\"");
    }
    SECTION("refused") {
        CHECK(error_of("<p:r/>") == xml_error::bad_namespace);
        CHECK(error_of("<r p:a='1'/>") == xml_error::bad_namespace);
        CHECK(error_of("<r><p:a xmlns:p='urn:p'/><p:b/></r>") == xml_error::bad_namespace);
        CHECK(error_of("<r xmlns:p=''/>") == xml_error::bad_namespace);
        CHECK(error_of("<r xmlns:xmlns='urn:x'/>") == xml_error::bad_namespace);
        CHECK(error_of("<r xmlns:xml='urn:x'/>") == xml_error::bad_namespace);
        CHECK(error_of("<r xmlns:p='http://www.w3.org/XML/1998/namespace'/>") == xml_error::bad_namespace);
        CHECK(error_of("<r xmlns:xml='http://www.w3.org/XML/1998/namespace'/>") == xml_error::none);
        // Not QNames.
        CHECK(error_of("<a:b:c xmlns:a='urn:a'/>") == xml_error::not_well_formed);
        CHECK(error_of("<:r/>") == xml_error::not_well_formed);
        CHECK(error_of("<r:/>") == xml_error::not_well_formed);
    }
}

TEST_CASE("xml_reader: references and line ends", "[xml]") {
    CHECK(events_of("<r a='&lt;&gt;&amp;&quot;&apos;&#65;&#x42;'>&lt;&#233;&#xE9;&#x1F600;</r>") ==
          events{"<{}r@1 {}a=\"<>&\"'AB\"", "text@1=\"<\xC3\xA9\xC3\xA9\xF0\x9F\x98\x80\"", ">{}r@1"});
    // CR LF and lone CR read as LF; a referenced CR stays; in attributes
    // white space becomes spaces (XML 1.0 §2.11, §3.3.3).
    CHECK(events_of("<r a='x\ty\r\nz'>1\r\n2\r3&#13;</r>") ==
          events{"<{}r@1 {}a=\"x y z\"", "text@1=\"1\n2\n3\r\"", ">{}r@1"});
    // A reference to a space is content, not blank.
    CHECK(events_of("<r>&#32;</r>")[1] == "text@1=\" \"");
    for (const char* bad : {"<r>&a;</r>", "<r>&amp</r>", "<r>&</r>", "<r>&#;</r>", "<r>&#X41;</r>", "<r>&#0;</r>",
                            "<r>&#xD800;</r>", "<r>&#x110000;</r>", "<r>&#xFFFE;</r>", "<r>&#x000000041;</r>",
                            "<r a='&'/>", "<r a='<'/>", "<r>]]></r>"}) {
        INFO(bad);
        CHECK(error_of(bad) == xml_error::not_well_formed);
    }
}

TEST_CASE("xml_reader: CDATA", "[xml]") {
    CHECK(events_of("<r><![CDATA[<a>&amp;]]]]><![CDATA[>\r\n]]><![CDATA[ ]]><![CDATA[]]></r>") ==
          events{"<{}r@1", "text@1[cdata]=\"<a>&amp;]]\"", "text@1[cdata]=\">\n\"", "text@1[cdata][blank]=\" \"",
                 "text@1[cdata][blank]=\"\"", ">{}r@1"});
    CHECK(error_of("<r><![CDATA[x</r>") == xml_error::not_well_formed);
    // Only inside the root.
    CHECK(error_of("<![CDATA[x]]><r/>") == xml_error::not_well_formed);
}

TEST_CASE("xml_reader: bounds", "[xml]") {
    SECTION("size") {
        const std::string doc = "<r>" + std::string(100, 'x') + "</r>";
        xml_limits limits;
        limits.max_bytes = doc.size();
        CHECK(error_of(doc, limits) == xml_error::none);
        limits.max_bytes = doc.size() - 1;
        CHECK(error_of(doc, limits) == xml_error::too_large);
        CHECK(error_of(std::string(xml_limits{}.max_bytes + 1, ' ')) == xml_error::too_large);
    }
    SECTION("depth: the root counts as 1, an empty element too") {
        const auto nested = [](std::size_t levels, bool empty_innermost) {
            std::string open, close;
            for (std::size_t i = 1; i < levels; ++i) {
                open += "<x>";
                close = "</x>" + close;
            }
            return open + (empty_innermost ? "<y/>" : "<y></y>") + close;
        };
        xml_limits limits;
        limits.max_depth = 4;
        for (const bool empty : {false, true}) {
            CHECK(error_of(nested(4, empty), limits) == xml_error::none);
            CHECK(error_of(nested(5, empty), limits) == xml_error::too_deep);
        }
        // Far too deep and never closed under limits that let it run: an
        // error, not a crash (no recursion).
        limits.max_bytes = 1 << 20;
        limits.max_depth = 1 << 20;
        std::string deep;
        for (int i = 0; i < 100000; ++i)
            deep += "<x>";
        CHECK(error_of(deep, limits) == xml_error::not_well_formed);
    }
}

TEST_CASE("xml_reader: malformed input", "[xml]") {
    SECTION("characters") {
        for (const std::string& bad : {std::string("<r>\x01</r>"), std::string("<r/>") + '\0', std::string("<r>\xC3</r>"),
                                      std::string("<r>\xC0\xAF</r>"), std::string("<r>\xED\xA0\x80</r>"),
                                      std::string("<r>\xEF\xBF\xBE</r>"), std::string("\xEF\xBB<r/>")}) {
            INFO(bad);
            CHECK(error_of(bad) == xml_error::bad_char);
        }
        CHECK(error_of("\xEF\xBB\xBF<r/>") == xml_error::none);
    }
    SECTION("structure") {
        for (const char* bad : {"", " ", "x", "<!-- c -->", "<r>", "<r></s>", "<r/><r/>", "<r/>x", "</r>",
                                "<r></r >x", "<r>< /r>", "<r></ r>", "<r a='1' a='2'/>", "<r a='1'b='2'/>",
                                "<r a=1/>", "<r a/>", "<r a='1/>", "<1r/>", "<r/ >", "<r><!-- a -- b --></r>",
                                "<r><!-- a ---></r>", "<r><? x?></r>", "<r><?xml x?></r>", "<r><?pi", "<r><!ELEMENT x></r>",
                                "<!DOCTYPE r><r/>", " <?xml version='1.0'?><r/>", "<?xml?><r/>",
                                "<?xml encoding='UTF-8'?><r/>", "<?xml version='2.0'?><r/>",
                                "<?xml version='1.0' encoding='ISO-8859-1'?><r/>",
                                "<?xml version='1.0' standalone='yes' encoding='UTF-8'?><r/>", "<r/><?xml version='1.0'?>"}) {
            INFO(bad);
            CHECK(error_of(bad) == xml_error::not_well_formed);
        }
        CHECK(error_of("<?xml version='1.1' encoding='us-ascii' standalone='no' ?><r/><!-- c --><?pi?> ") ==
              xml_error::none);
    }
    SECTION("every proper prefix of a document is refused") {
        const std::string doc = "<?xml version='1.0'?><p:r xmlns:p='urn:p' a='&amp;'><!-- c -->t<![CDATA[c]]><e/></p:r>";
        REQUIRE(error_of(doc) == xml_error::none);
        for (std::size_t n = 0; n < doc.size(); ++n) {
            INFO(doc.substr(0, n));
            CHECK(error_of(doc.substr(0, n)) != xml_error::none);
        }
    }
}

TEST_CASE("xml_reader: the visitor can refuse, and the reader stops there", "[xml]") {
    event_log log;
    log.refuse_at = "b";
    CHECK(read_xml("<r><a/><b/><c/></r>", log) == xml_error::rejected);
    CHECK(log.events == events{"<{}r@1", "<{}a@2", ">{}a@2", "<{}b@2"});
}
