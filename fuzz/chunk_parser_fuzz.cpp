// libFuzzer target: the streaming chunk parser fed in fuzzer-chosen pieces.
//
// Input layout: the first `config_bytes` bytes choose the parser options and
// how the rest is split into pieces (see `decode_config`); the rest is the
// byte stream. `fuzz/make_corpus.py` writes seeds in this layout.
//
// The stream is parsed twice with the caller protocol of `chunk_parser`
// (keep the unconsumed bytes, append the next piece, call parse() until
// need_more or error, drop what was consumed): once in the chosen pieces
// and once in one piece. Both runs must produce the same trace (heads,
// concatenated bodies, end-line flags, error, finish() result), as Beast's
// parsegrind/failgrind require; only the body octets handed out before an
// error may differ in length. Each run also checks the parser's
// documented invariants (views inside the input, the memory bound, limits).

#include <msrp/protocol/chunk_parser.hpp>

#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "xorshift.hpp"

namespace {

constexpr std::size_t config_bytes = 8;

enum class split_mode : std::uint8_t {
    random_pieces,  // sizes 1..max_piece from a seeded generator
    fixed_pieces,   // every piece max_piece bytes
    byte_by_byte,
    two_pieces,     // one split point chosen by the seed
};

struct config {
    msrp::parser_options options;
    split_mode mode = split_mode::random_pieces;
    std::size_t max_piece = 1;
    std::uint32_t seed = 1;
};

// Byte 0: bit 0 clears require_path_order, bit 1 sets accept_any_transport,
//         bit 2 applies small limits (bytes 4..7), bits 4..5 the split mode.
// Byte 1: max_piece - 1 (random and fixed pieces).
// Bytes 2..3: seed of the piece sizes / the split point (little endian).
// Bytes 4..7: small limits, only with bit 2 of byte 0.
// An all-zero prefix means default options, random pieces of 1 byte.
config decode_config(const std::vector<std::uint8_t>& b) {
    config c;
    c.options.require_path_order = !(b[0] & 0x01);
    c.options.accept_any_transport = (b[0] & 0x02) != 0;
    c.mode = static_cast<split_mode>((b[0] >> 4) & 0x03);
    c.max_piece = std::size_t{b[1]} + 1;
    c.seed = (std::uint32_t{b[2]} | std::uint32_t{b[3]} << 8) * 2654435761u + 1;
    if (b[0] & 0x04) {
        auto& l = c.options.limits;
        l.max_line_bytes = 8 + std::size_t{b[4]} * 2;
        l.max_header_block_bytes = 16 + std::size_t{b[5]} * 8;
        l.max_header_count = 1 + (b[6] & 0x0f);
        // 4..79: beyond what the parser stores, which it must clamp.
        l.max_transaction_id_bytes = 4 + (b[6] >> 4) * 5;
        l.max_non_send_body_bytes = static_cast<std::uint64_t>(b[7] & 0x0f) * 64;
        l.max_body_bytes = (b[7] >> 4) == 0x0f ? msrp::parser_limits{}.max_body_bytes
                                               : static_cast<std::uint64_t>(b[7] >> 4) * 512;
    }
    return c;
}

std::vector<std::size_t> piece_sizes(const config& c, std::size_t total, bool whole) {
    std::vector<std::size_t> sizes;
    if (whole || total == 0) {
        sizes.push_back(total);
        return sizes;
    }
    std::uint32_t state = c.seed ? c.seed : 1;
    std::size_t left = total;
    switch (c.mode) {
    case split_mode::random_pieces:
        while (left) {
            const std::size_t n = std::min<std::size_t>(left, 1 + next_random(state) % c.max_piece);
            sizes.push_back(n);
            left -= n;
        }
        break;
    case split_mode::fixed_pieces:
        while (left) {
            const std::size_t n = std::min(left, c.max_piece);
            sizes.push_back(n);
            left -= n;
        }
        break;
    case split_mode::byte_by_byte:
        sizes.assign(total, 1);
        break;
    case split_mode::two_pieces: {
        const std::size_t first = next_random(state) % (total + 1);
        sizes.push_back(first);
        sizes.push_back(total - first);
        break;
    }
    }
    return sizes;
}

bool within(std::string_view part, std::string_view whole) {
    if (part.empty())
        return true;
    const auto* b = whole.data();
    return part.data() >= b && part.data() + part.size() <= b + whole.size();
}

void append_field(std::string& out, std::string_view v) {
    out += std::to_string(v.size());
    out += ':';
    out += v;
}

void append_number(std::string& out, std::uint64_t v) {
    out += std::to_string(v);
    out += ';';
}

// Records the head and checks its views point into `input`.
void record_head(const msrp::chunk_parser& parser, std::string_view input, std::string& trace) {
    const msrp::chunk_head& h = parser.head();
    const auto& limits = parser.options().limits;
    const std::string_view views[] = {h.transaction_id, h.method, h.comment, h.to_path,
                                      h.from_path, h.message_id, h.content_type};
    // The transaction id may also view the parser's own copy of it.
    FUZZ_CHECK(within(h.transaction_id, input) ||
               within(h.transaction_id, parser.transaction_id()));
    for (auto v : views)
        FUZZ_CHECK(v.data() == h.transaction_id.data() || within(v, input));
    FUZZ_CHECK(h.header_count <= limits.max_header_count);
    FUZZ_CHECK(h.header_count == 0 || h.headers != nullptr);
    FUZZ_CHECK(!h.transaction_id.empty());
    FUZZ_CHECK(h.transaction_id.size() <= limits.max_transaction_id_bytes);
    FUZZ_CHECK(parser.transaction_id() == h.transaction_id);
    FUZZ_CHECK(h.status_code >= 0 && h.status_code <= 999);

    trace += 'H';
    for (auto v : views)
        append_field(trace, v);
    append_number(trace, static_cast<std::uint64_t>(h.status_code));
    append_number(trace, h.has_body);
    append_number(trace, h.has_byte_range);
    if (h.has_byte_range) {
        append_number(trace, h.byte_range.start);
        append_number(trace, h.byte_range.end);
        append_number(trace, h.byte_range.total);
    }
    append_number(trace, h.header_count);
    for (const auto& f : h) {
        FUZZ_CHECK(within(f.name, input));
        FUZZ_CHECK(within(f.value, input));
        append_field(trace, f.name);
        append_field(trace, f.value);
    }
}

struct run_result {
    std::string trace;
    // Body octets of the failed chunk handed out before the error: the
    // parser hands out exactly the octets up to a body limit, however the
    // input was split, so the runs must agree on them too.
    std::string body_before_error;
};

// One pass over `stream` in the given pieces.
run_result run(const config& c, std::string_view stream, const std::vector<std::size_t>& sizes) {
    msrp::chunk_parser parser(c.options);
    const auto& limits = parser.options().limits; // as the parser adjusted them
    run_result result;
    std::string& trace = result.trace;
    std::string buffer;        // bytes fed but not consumed: buffer[begin..]
    std::size_t begin = 0;
    std::string body;          // body of the current chunk, concatenated
    bool in_chunk = false;     // a head was reported and its end not yet
    bool request_not_send = false;
    bool failed = false;
    bool ended = false;        // the last event was an end
    std::size_t offset = 0;

    for (std::size_t piece : sizes) {
        buffer.erase(0, begin);
        begin = 0;
        buffer.append(stream.substr(offset, piece));
        offset += piece;

        // A stuck parser (events that consume nothing, forever) is a bug.
        int idle_events = 0;
        for (;;) {
            const std::string_view input = std::string_view(buffer).substr(begin);
            const msrp::parse_result r = parser.parse(input);
            FUZZ_CHECK(r.consumed <= input.size());
            if (r.event == msrp::parse_event::error) {
                FUZZ_CHECK(r.ec);
                FUZZ_CHECK(parser.failed());
                trace += 'X';
                append_number(trace, static_cast<std::uint64_t>(r.ec.value()));
                result.body_before_error = body;
                // Errors are final.
                const msrp::parse_result again = parser.parse(input);
                FUZZ_CHECK(again.event == msrp::parse_event::error && again.ec == r.ec);
                failed = true;
                break;
            }
            FUZZ_CHECK(!parser.failed());
            if (r.consumed > 0)
                idle_events = 0;
            else if (r.event != msrp::parse_event::need_more)
                FUZZ_CHECK(++idle_events < 4);
            switch (r.event) {
            case msrp::parse_event::need_more:
                // The parser's memory bound: it never makes the caller keep
                // more than one head (plus a possible end-line).
                FUZZ_CHECK(input.size() - r.consumed <= limits.max_header_block_bytes + 128);
                break;
            case msrp::parse_event::head:
                FUZZ_CHECK(!in_chunk);
                record_head(parser, input, trace);
                in_chunk = true;
                body.clear();
                request_not_send = parser.head().is_request() && parser.head().method != "SEND";
                break;
            case msrp::parse_event::body:
                FUZZ_CHECK(in_chunk);
                FUZZ_CHECK(parser.head().has_body);
                FUZZ_CHECK(within(r.body, input));
                FUZZ_CHECK(r.body.data() + r.body.size() <= input.data() + r.consumed);
                body.append(r.body);
                FUZZ_CHECK(parser.body_bytes() == body.size());
                FUZZ_CHECK(body.size() <= limits.max_body_bytes);
                FUZZ_CHECK(!request_not_send || body.size() <= limits.max_non_send_body_bytes);
                break;
            case msrp::parse_event::end: {
                FUZZ_CHECK(in_chunk);
                // A bodiless chunk's end-line is consumed with its head.
                FUZZ_CHECK(r.consumed > 0 || !parser.head().has_body);
                FUZZ_CHECK(parser.body_bytes() == body.size());
                const char flag = parser.continuation_flag();
                FUZZ_CHECK(flag == '$' || flag == '+' || flag == '#');
                trace += 'E';
                append_field(trace, body);
                trace += flag;
                in_chunk = false;
                break;
            }
            case msrp::parse_event::error:
                break;
            }
            if (r.event != msrp::parse_event::need_more)
                ended = r.event == msrp::parse_event::end;
            begin += r.consumed;
            if (r.event == msrp::parse_event::need_more)
                break;
        }
        if (failed)
            break;
    }

    if (!failed) {
        const std::size_t unconsumed = buffer.size() - begin;
        const std::error_code ec = parser.finish(unconsumed);
        // finish() reports no error only between chunks.
        FUZZ_CHECK(ec || (unconsumed == 0 && !in_chunk));
        if (unconsumed == 0 && (parser.idle() || ended))
            FUZZ_CHECK(!ec);
        trace += 'F';
        append_number(trace, static_cast<std::uint64_t>(ec.value()));
        append_number(trace, unconsumed);
        append_field(trace, body);
    }
    return result;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider provider(data, size);
    std::vector<std::uint8_t> prefix = provider.ConsumeBytes<std::uint8_t>(config_bytes);
    prefix.resize(config_bytes, 0);
    const std::string stream = provider.ConsumeRemainingBytesAsString();
    const config c = decode_config(prefix);

    const run_result whole = run(c, stream, piece_sizes(c, stream.size(), true));
    const run_result split = run(c, stream, piece_sizes(c, stream.size(), false));
    if (whole.trace != split.trace) {
        std::fprintf(stderr, "trace in one piece:\n%s\ntrace in pieces:\n%s\n",
                     whole.trace.c_str(), split.trace.c_str());
        FUZZ_CHECK(whole.trace == split.trace);
    }
    FUZZ_CHECK(whole.body_before_error == split.body_before_error);
    return 0;
}
