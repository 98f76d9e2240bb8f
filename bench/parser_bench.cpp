// Throughput of the protocol core, one JSON line per figure on stdout:
//   {"case": "...", "value": X, "unit": "...", "ref_case": "...", "ref_value": Y, "ratio": X/Y}
// The reference (memchr over the same bytes) is measured in the same run, so
// the ratio does not depend on the machine as much as the raw figure does.
//
// Each figure: one warm-up pass, then 5 runs, each repeating the work until
// at least `min_run_seconds` passed; the best run is reported. Runs of a
// figure and of its reference alternate, so both see the same load. GB/s are
// 1e9 bytes per second; the parser figures count body bytes only (the
// bytes the parser handed out in body events), memchr counts every byte it
// scanned, so the ratio slightly understates the parser.

#include <msrp/protocol/chunk.hpp>
#include <msrp/protocol/chunk_parser.hpp>
#include <msrp/protocol/chunk_reader.hpp>
#include <msrp/protocol/chunk_serializer.hpp>
#include <msrp/protocol/make_chunk.hpp>
#include <msrp/protocol/path.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

constexpr double min_run_seconds = 0.5;
constexpr int runs = 5;

template <class T>
void keep(const T& value) {
    asm volatile("" : : "r"(&value) : "memory");
}

template <class T>
T* launder_pointer(T* p) {
    asm volatile("" : "+r"(p));
    return p;
}

[[noreturn]] void die(const char* what) {
    std::fprintf(stderr, "parser_bench: %s\n", what);
    std::exit(1);
}

/// Items per second of one run: `work` (one unit of work, returning how
/// many items it processed) repeated for at least `min_run_seconds`.
template <class Work>
double run_rate(Work& work) {
    using clock = std::chrono::steady_clock;
    std::uint64_t items = 0;
    const auto start = clock::now();
    double elapsed = 0;
    do {
        items += work();
        elapsed = std::chrono::duration<double>(clock::now() - start).count();
    } while (elapsed < min_run_seconds);
    return static_cast<double>(items) / elapsed;
}

/// Best rate over `runs` runs of `work`, after one warm-up call.
template <class Work>
double best_rate(Work&& work) {
    keep(work()); // warm up: caches, page faults, branch predictors
    double best = 0;
    for (int r = 0; r < runs; ++r)
        best = std::max(best, run_rate(work));
    return best;
}

/// Best rates of `work` and of its reference `ref`, their runs interleaved
/// so that both see the same machine load (this one is shared).
template <class Work, class Ref>
std::pair<double, double> best_rates(Work&& work, Ref&& ref) {
    keep(work());
    keep(ref());
    double best = 0, best_ref = 0;
    for (int r = 0; r < runs; ++r) {
        best = std::max(best, run_rate(work));
        best_ref = std::max(best_ref, run_rate(ref));
    }
    return {best, best_ref};
}

void print_figure(const char* name, double value, const char* unit, const char* ref_name = nullptr,
                  double ref_value = 0) {
    if (ref_name)
        std::printf("{\"case\": \"%s\", \"value\": %.6g, \"unit\": \"%s\", \"ref_case\": \"%s\", "
                    "\"ref_value\": %.6g, \"ratio\": %.4g}\n",
                    name, value, unit, ref_name, ref_value, value / ref_value);
    else
        std::printf("{\"case\": \"%s\", \"value\": %.6g, \"unit\": \"%s\"}\n", name, value, unit);
    std::fflush(stdout);
}

msrp::Path path(const char* text) { return msrp::parse_path(text); }

const msrp::Path to_path = path("msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp");
const msrp::Path from_path = path("msrp://atlanta.example.com:7654/jshA7weztas;tcp");

/// xorshift64: the same bytes on every run.
struct random_bytes {
    std::uint64_t state = 0x9e3779b97f4a7c15u;
    std::uint64_t next() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    }
};

/// `count` SEND chunks with `body_bytes` pseudo-random bodies (octets 1..255:
/// NUL never occurs, so memchr for it scans the whole buffer). make_chunk
/// picks transaction ids whose end-line is not in the body.
std::string binary_chunks(std::size_t body_bytes, std::size_t count) {
    random_bytes rng;
    std::string wire;
    for (std::size_t i = 0; i < count; ++i) {
        msrp::make_chunk_params p;
        p.data.resize(body_bytes);
        for (auto& c : p.data)
            c = static_cast<char>(1 + rng.next() % 255);
        p.content_type = "application/octet-stream";
        wire += msrp::to_wire(msrp::make_chunk(to_path, from_path, p));
    }
    return wire;
}

/// `count` 100-octet text messages with the headers of RFC 4975's examples.
std::vector<msrp::Chunk> text_chunks(std::size_t count) {
    random_bytes rng;
    std::vector<msrp::Chunk> chunks;
    for (std::size_t i = 0; i < count; ++i) {
        msrp::make_chunk_params p;
        p.data.resize(100);
        for (auto& c : p.data)
            c = static_cast<char>('a' + rng.next() % 26);
        for (std::size_t k = 7; k < p.data.size(); k += 8)
            p.data[k] = ' ';
        chunks.push_back(msrp::make_chunk(to_path, from_path, p));
    }
    return chunks;
}

struct parse_totals {
    std::uint64_t body_bytes = 0;
    std::uint64_t chunks = 0;
};

/// Parses `wire` (whole chunks back to back) in one piece.
parse_totals parse_all(msrp::chunk_parser& parser, std::string_view wire) {
    parse_totals t;
    std::string_view input = wire;
    for (;;) {
        const msrp::parse_result r = parser.parse(input);
        switch (r.event) {
        case msrp::parse_event::body:
            t.body_bytes += r.body.size();
            break;
        case msrp::parse_event::end:
            ++t.chunks;
            break;
        case msrp::parse_event::head:
            break;
        case msrp::parse_event::need_more:
            if (!input.empty() || !parser.idle())
                die("the parser wants more bytes after the last chunk");
            return t;
        case msrp::parse_event::error:
            std::fprintf(stderr, "parse error: %s\n", r.ec.message().c_str());
            die("the benchmark input does not parse");
        }
        input.remove_prefix(r.consumed);
    }
}

std::uint64_t memchr_bytes(const std::string& wire) {
    const char* p = launder_pointer(wire.data());
    const void* hit = std::memchr(p, 0, wire.size());
    keep(hit);
    if (hit)
        die("NUL in the benchmark input");
    return wire.size();
}

void bench_bulk(const char* name, const char* ref_name, std::size_t body_bytes, std::size_t count) {
    const std::string wire = binary_chunks(body_bytes, count);
    msrp::chunk_parser parser;
    const std::uint64_t expected = std::uint64_t{body_bytes} * count;
    const auto [parser_rate, memchr_rate] = best_rates(
        [&] {
            const parse_totals t = parse_all(parser, wire);
            keep(t);
            if (t.body_bytes != expected || t.chunks != count)
                die("the parser lost bytes or chunks");
            return t.body_bytes;
        },
        [&] { return memchr_bytes(wire); });
    print_figure(name, parser_rate / 1e9, "GB/s", ref_name, memchr_rate / 1e9);
}

void bench_small(std::size_t count) {
    const std::vector<msrp::Chunk> chunks = text_chunks(count);
    std::string wire;
    for (const auto& c : chunks)
        wire += msrp::to_wire(c);

    // parser/100B: the sans-IO parser, whole buffer in one piece.
    msrp::chunk_parser parser;
    // Reference: memchr over the same bytes, in chunks per second.
    const auto [parser_rate, memchr_rate] = best_rates(
        [&] {
            const parse_totals t = parse_all(parser, wire);
            keep(t);
            if (t.chunks != count)
                die("the parser lost chunks");
            return t.chunks;
        },
        [&] { return memchr_bytes(wire) / wire.size() * count; });
    print_figure("parser/100B", parser_rate, "chunks/s", "memchr/100B", memchr_rate);

    // chunk_reader/100B: Chunk objects, fed in 64 KiB pieces like socket reads.
    constexpr std::size_t read_bytes = 64 * 1024;
    const double reader_rate = best_rate([&] {
        msrp::chunk_reader reader;
        std::uint64_t n = 0;
        for (std::size_t off = 0; off < wire.size(); off += read_bytes) {
            if (reader.feed(std::string_view(wire).substr(off, read_bytes)))
                die("chunk_reader failed");
            while (std::optional<msrp::Chunk> c = reader.next()) {
                keep(*c);
                ++n;
            }
        }
        if (n != count || reader.finish())
            die("chunk_reader lost chunks");
        return n;
    });
    print_figure("chunk_reader/100B", reader_rate, "chunks/s");

    // serialize/100B: into one reused serialized_chunk.
    msrp::serialized_chunk out;
    const double serialize_rate = best_rate([&] {
        std::uint64_t n = 0;
        for (const auto& c : chunks) {
            if (msrp::serialize(c, out))
                die("serialize failed");
            keep(out);
            ++n;
        }
        return n;
    });
    print_figure("serialize/100B", serialize_rate, "chunks/s");
}

} // namespace

int main() {
    // About 8 MiB of wire bytes per bulk case: the same buffer for the
    // parser and for memchr.
    bench_bulk("parser/64KiB", "memchr/64KiB", 64 * 1024, 128);
    bench_bulk("parser/2KiB", "memchr/2KiB", 2 * 1024, 4096);
    bench_small(10000);
    return 0;
}
