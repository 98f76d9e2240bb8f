// libFuzzer target: parse -> serialize -> parse is the identity.
//
// The input is one chunk on the wire (the vectors are valid seeds as they
// are). When `parse_chunk` accepts it (with the default options, else with
// the lenient ones), `serialize`/`to_wire` must succeed and their bytes
// must parse to an equal `Chunk`. `chunk_reader`, fed the same bytes, must
// assemble the same chunk. One exception, by design: a body may hold
// "-------<tid><flag>" where it is not an end-line (no CRLF around it); the
// parser keeps it as body but the serializer refuses to send it under that
// id (`errc::end_line_in_body`). Then the chunk must round-trip under
// another transaction id.

#include <msrp/protocol/chunk.hpp>
#include <msrp/protocol/chunk_reader.hpp>
#include <msrp/protocol/chunk_serializer.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"

namespace {

msrp::parser_options lenient_options() {
    msrp::parser_options o;
    o.require_path_order = false;
    o.accept_any_transport = true;
    return o;
}

// Whether `body` holds "-------" tid flag anywhere: the text the serializer
// refuses to send (RFC 4975 §7.1; it refuses it even without CRLFs around,
// which the parser would take as body).
bool holds_end_line_text(const std::string& body, const std::string& tid) {
    const std::string hyphens_tid = "-------" + tid;
    for (auto pos = body.find(hyphens_tid); pos != std::string::npos;
         pos = body.find(hyphens_tid, pos + 1)) {
        const auto flag = pos + hyphens_tid.size();
        if (flag < body.size() && (body[flag] == '$' || body[flag] == '+' || body[flag] == '#'))
            return true;
    }
    return false;
}

// serialize -> parse gives `chunk` back.
void check_serialized_round_trip(const msrp::Chunk& chunk, const msrp::parser_options& options) {
    msrp::serialized_chunk out;
    const std::error_code ec = msrp::serialize(chunk, out);
    if (ec) {
        std::fprintf(stderr, "serialize() failed on a parsed chunk: %s\n", ec.message().c_str());
        std::abort();
    }
    const std::string wire = msrp::to_wire(chunk);
    FUZZ_CHECK(wire == out.to_string());
    FUZZ_CHECK(out.size() == wire.size());

    msrp::Chunk again;
    const std::error_code ec2 = msrp::parse_chunk(wire, again, options);
    if (ec2) {
        std::fprintf(stderr, "to_wire() output does not parse: %s\n--- wire ---\n%s\n",
                     ec2.message().c_str(), wire.c_str());
        std::abort();
    }
    FUZZ_CHECK(again == chunk);
    FUZZ_CHECK(msrp::to_wire(again) == wire);
}

void check_parsed(std::string_view text, const msrp::Chunk& chunk,
                  const msrp::parser_options& options) {
    // The convenience reader sees the same single chunk.
    msrp::chunk_reader reader(options);
    FUZZ_CHECK(!reader.feed(text));
    const std::optional<msrp::Chunk> read = reader.next();
    FUZZ_CHECK(read.has_value());
    FUZZ_CHECK(*read == chunk);
    FUZZ_CHECK(!reader.next().has_value());
    FUZZ_CHECK(!reader.finish());

    const bool collides = msrp::end_line_collides(chunk.data, chunk.transaction_id);
    FUZZ_CHECK(collides == holds_end_line_text(chunk.data, chunk.transaction_id));
    if (!collides) {
        check_serialized_round_trip(chunk, options);
        return;
    }
    // The parser accepted a body holding "-------<tid><flag>" not framed as
    // an end-line; the serializer must refuse that id, and the chunk must
    // round-trip under another one. Ids are chosen deterministically here
    // (not with choose_transaction_id) so that every input replays alike.
    msrp::serialized_chunk out;
    FUZZ_CHECK(msrp::serialize(chunk, out) == msrp::errc::end_line_in_body);
    msrp::Chunk renamed = chunk;
    for (unsigned n = 0;; ++n) {
        renamed.transaction_id = "fuzz" + std::to_string(n);
        if (!msrp::end_line_collides(renamed.data, renamed.transaction_id))
            break;
    }
    check_serialized_round_trip(renamed, options);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    msrp::Chunk chunk;
    const msrp::parser_options strict;
    if (!msrp::parse_chunk(text, chunk, strict)) {
        check_parsed(text, chunk, strict);
        return 0;
    }
    chunk = msrp::Chunk{};
    const msrp::parser_options lenient = lenient_options();
    if (!msrp::parse_chunk(text, chunk, lenient))
        check_parsed(text, chunk, lenient);
    return 0;
}
