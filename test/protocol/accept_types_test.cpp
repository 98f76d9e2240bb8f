// Content types against SDP accept-types (RFC 4975 §8.6, §9).

#include <msrp/protocol/accept_types.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using msrp::content_type_accepted;
using msrp::parse_accept_types;
using list = std::vector<std::string>;

TEST_CASE("accept_types: content types against accept lists", "[accept_types]") {
    struct row {
        const char* content_type;
        list accept;
        bool accepted;
    };
    const list chat = {"message/cpim", "text/plain", "text/html"};
    const row table[] = {
        // Exact entries.
        {"text/plain", chat, true},
        {"text/html", chat, true},
        {"message/cpim", chat, true},
        {"image/png", chat, false},
        {"text/enriched", chat, false},
        {"message/imdn+xml", chat, false},
        // Case-insensitive, parameters and whitespace ignored.
        {"Text/Plain;charset=UTF-8", chat, true},
        {"TEXT/PLAIN", chat, true},
        {"text/plain ; charset=\"utf-8\"", chat, true},
        {"  text/plain  ", chat, true},
        {"\ttext/plain\r\n", chat, true},
        {"Message/CPIM", chat, true},
        {"text/plain", {"TEXT/Plain"}, true},
        {"text/plain", {" text/plain "}, true},
        {"text/plain", {"text/plain;charset=UTF-8"}, true},
        // Prefixes and suffixes are not matches.
        {"text/plai", chat, false},
        {"text/plainx", chat, false},
        {"text/plain", {"text/plai"}, false},
        {"texts/plain", {"text/*"}, false},
        {"tex/plain", {"text/*"}, false},
        // type/* entries.
        {"text/plain", {"text/*"}, true},
        {"text/x-anything", {"text/*"}, true},
        {"TEXT/HTML;charset=iso-8859-1", {"text/*"}, true},
        {"text/plain", {"Text/*"}, true},
        {"image/png", {"text/*"}, false},
        {"message/cpim", {"text/*", "message/*"}, true},
        {"image/png", {"text/*", "message/cpim"}, false},
        // * and */*.
        {"image/png", {"*"}, true},
        {"application/octet-stream", {"text/plain", "*"}, true},
        {"image/png", {"*/*"}, true},
        {"image/png", {" * "}, true},
        // Malformed entries match nothing.
        {"text/plain", {"text"}, false},
        {"text/plain", {"/plain"}, false},
        {"text/plain", {"text/"}, false},
        {"text/plain", {"*/plain"}, false},
        {"text/plain", {""}, false},
        {"text/plain", {"text/pl ain"}, false},
        // An empty list accepts nothing.
        {"text/plain", {}, false},
        // Empty or malformed content types: only "*" accepts them.
        {"", chat, false},
        {"", {"*"}, true},
        {"   ", {"text/*"}, false},
        {"text", {"text/*"}, false},
        {"text", {"*"}, true},
        {"text/", {"text/*"}, false},
        {"/plain", {"text/*", "text/plain"}, false},
        {"text/plain/extra", {"text/*"}, false},
        {"text /plain", {"text/plain", "text/*"}, false},
        {"text/pl ain", {"text/*"}, false},
        {";charset=UTF-8", {"text/*"}, false},
        {"text/*", {"text/*"}, false},  // a wildcard is not a type
        {"*/*", {"*/*"}, false},
        {"", {"*/*"}, false},        // */* is any well-formed type, not "*"
        {"text", {"*/*"}, false},
        {"*/*", {"*"}, true},
        {"*", {"text/*", "*/*"}, false},
        {"te\"xt/plain", {"text/*"}, false},
    };
    for (const auto& r : table) {
        std::string accept;
        for (const auto& a : r.accept)
            accept += "[" + a + "]";
        INFO("Content-Type [" << r.content_type << "] accept-types " << accept);
        CHECK(content_type_accepted(r.content_type, r.accept) == r.accepted);
    }
}

TEST_CASE("accept_types: parse_accept_types splits on whitespace", "[accept_types]") {
    struct row {
        const char* value;
        list entries;
    };
    const row table[] = {
        {"message/cpim text/plain text/html", {"message/cpim", "text/plain", "text/html"}},
        {"*", {"*"}},
        {"text/*", {"text/*"}},
        {"", {}},
        {"   ", {}},
        {"text/plain", {"text/plain"}},
        {"  text/plain   message/cpim ", {"text/plain", "message/cpim"}},
        {"text/plain\tmessage/cpim", {"text/plain", "message/cpim"}},
        {"message/cpim application/im-iscomposing+xml\r\n", {"message/cpim", "application/im-iscomposing+xml"}},
        {"Text/Plain */* bogus", {"Text/Plain", "*/*", "bogus"}}, // as written, not validated
        {"text/plain text/plain", {"text/plain", "text/plain"}},
    };
    for (const auto& r : table) {
        INFO("a=accept-types:" << r.value);
        CHECK(parse_accept_types(r.value) == r.entries);
    }
}

TEST_CASE("accept_types: a parsed SDP attribute decides", "[accept_types]") {
    const auto types = parse_accept_types("message/cpim text/* application/im-iscomposing+xml");
    CHECK(content_type_accepted("message/cpim", types));
    CHECK(content_type_accepted("text/plain; charset=UTF-8", types));
    CHECK(content_type_accepted("Application/IM-isComposing+XML", types));
    CHECK_FALSE(content_type_accepted("image/jpeg", types));
    CHECK_FALSE(content_type_accepted("", types));
}
