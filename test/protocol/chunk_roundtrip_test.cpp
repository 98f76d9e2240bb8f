// parse -> serialize -> parse is the identity, on the vectors and on
// thousands of random chunks fed in random pieces.

#include "../support/random_chunk.hpp"
#include "../support/vectors.hpp"

#include <msrp/protocol/chunk_reader.hpp>
#include <msrp/protocol/chunk_serializer.hpp>

#include <catch2/catch.hpp>

#include <random>

namespace t = msrp::test;

TEST_CASE("vectors survive parse, serialize, parse", "[roundtrip]") {
    const auto dir = t::vectors_dir();
    std::size_t checked = 0;
    for (const auto& [index, sub] : {std::pair{"INDEX.json", ""}, std::pair{"valid-edge/INDEX.json", "valid-edge/"}}) {
        for (const auto& e : t::load_index(index)) {
            const auto file = e.at("file").get<std::string>();
            if (file.size() < 5 || file.substr(file.size() - 5) != ".msrp")
                continue;
            msrp::Chunk first;
            if (msrp::parse_chunk(t::read_file(dir + "/" + sub + file), first))
                continue; // the RFC fragments without To-Path
            INFO(file);
            const auto wire = msrp::to_wire(first);
            msrp::Chunk second;
            REQUIRE_FALSE(msrp::parse_chunk(wire, second));
            CHECK(second == first);
            // Serializing is canonical: a second round gives the same bytes.
            CHECK(msrp::to_wire(second) == wire);
            ++checked;
        }
    }
    CHECK(checked == 45 + 23);
}

TEST_CASE("random chunks survive serialize and parse in random pieces", "[roundtrip]") {
    const std::uint64_t seed = std::random_device{}();
    INFO("seed " << seed << " (set it in random_chunk_generator to replay)");
    t::random_chunk_generator gen(seed);
    std::mt19937_64 cuts_rng(seed + 1);
    constexpr int rounds = 5000;
    for (int i = 0; i < rounds; ++i) {
        const auto chunk = gen.next();
        msrp::serialized_chunk s;
        REQUIRE_FALSE(msrp::serialize(chunk, s));
        // No copy: the body buffer is the chunk's own storage.
        CHECK((s.body.empty() || s.body.data() == chunk.data.data()));
        const auto wire = s.to_string();
        std::vector<std::size_t> cuts;
        for (auto n = cuts_rng() % 6; n > 0; --n)
            cuts.push_back(cuts_rng() % (wire.size() + 1));
        std::sort(cuts.begin(), cuts.end());
        const auto got = t::feed_pieces(wire, cuts);
        INFO("round " << i << ": " << got.ec.message());
        REQUIRE_FALSE(got.ec);
        REQUIRE(got.chunks.size() == 1);
        REQUIRE(got.chunks[0] == chunk);
    }
}

TEST_CASE("a stream of random chunks parses back chunk for chunk", "[roundtrip]") {
    const std::uint64_t seed = std::random_device{}();
    INFO("seed " << seed);
    t::random_chunk_generator gen(seed);
    std::vector<msrp::Chunk> sent;
    std::string stream;
    for (int i = 0; i < 500; ++i) {
        sent.push_back(gen.next());
        stream += msrp::to_wire(sent.back());
    }
    std::mt19937_64 rng(seed);
    std::vector<std::size_t> cuts;
    for (std::size_t pos = 0; pos < stream.size(); pos += 1 + rng() % 700)
        cuts.push_back(pos);
    const auto got = t::feed_pieces(stream, cuts);
    REQUIRE_FALSE(got.ec);
    REQUIRE(got.chunks.size() == sent.size());
    for (std::size_t i = 0; i < sent.size(); ++i)
        REQUIRE(got.chunks[i] == sent[i]);
}
