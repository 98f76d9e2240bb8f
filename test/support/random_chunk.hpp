#pragma once
// Random valid chunks from a seeded generator, for round-trip tests.

#include <msrp/protocol/chunk.hpp>

#include <cstdint>
#include <random>
#include <string>

namespace msrp::test {

class random_chunk_generator {
public:
    explicit random_chunk_generator(std::uint64_t seed) : rng_(seed) {}

    /// A chunk that follows every rule the parser checks, with bodies full
    /// of CR, LF, hyphens and other transactions' end-lines.
    Chunk next();

    std::string ident(std::size_t min_len = 4, std::size_t max_len = 32);
    URI uri();

private:
    std::size_t pick(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_); }
    bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }
    std::string text(std::size_t max_len);
    std::string body(std::size_t max_len, const std::string& tid);

    std::mt19937_64 rng_;
};

} // namespace msrp::test
