#include "vectors.hpp"

#include <msrp/protocol/chunk_reader.hpp>

#include <openssl/evp.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>

namespace msrp::test {

std::string vectors_dir() {
    if (const char* dir = std::getenv("MSRP_VECTORS_DIR"); dir && *dir)
        return dir;
#ifdef MSRP_DEFAULT_VECTORS_DIR
    return MSRP_DEFAULT_VECTORS_DIR;
#else
    return "../shared/vectors";
#endif
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot open " + path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

nlohmann::json load_index(const std::string& relative) {
    return nlohmann::json::parse(read_file(vectors_dir() + "/" + relative));
}

std::string sha256_hex(std::string_view bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr))
        throw std::runtime_error("EVP_Digest failed");
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < len; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 15];
    }
    return out;
}

transcript feed_pieces(std::string_view bytes, const std::vector<std::size_t>& cuts,
                       const parser_options& options) {
    transcript t;
    chunk_parser parser(options);
    std::string pending;
    Chunk current;
    std::size_t from = 0;
    auto pieces = cuts;
    pieces.push_back(bytes.size());
    for (const auto cut : pieces) {
        if (cut < from)
            continue;
        pending.append(bytes.substr(from, cut - from));
        from = cut;
        std::size_t used = 0;
        for (bool more = true; more;) {
            const auto r = parser.parse(std::string_view(pending).substr(used));
            if (r.consumed > pending.size() - used)
                throw std::logic_error("parser consumed more than it was given");
            switch (r.event) {
            case parse_event::need_more:
                more = false;
                break;
            case parse_event::head:
                copy_head(parser.head(), current);
                break;
            case parse_event::body:
                current.data.append(r.body);
                break;
            case parse_event::end:
                current.contflag = parser.continuation_flag();
                t.chunks.push_back(std::move(current));
                current = Chunk{};
                break;
            case parse_event::error:
                t.ec = r.ec;
                return t;
            }
            used += r.consumed;
        }
        pending.erase(0, used);
        t.max_pending = std::max(t.max_pending, pending.size());
    }
    t.ec = parser.finish(pending.size());
    return t;
}

transcript feed_whole(std::string_view bytes, const parser_options& options) {
    return feed_pieces(bytes, {}, options);
}

transcript feed_bytewise(std::string_view bytes, const parser_options& options) {
    std::vector<std::size_t> cuts;
    for (std::size_t i = 1; i < bytes.size(); ++i)
        cuts.push_back(i);
    return feed_pieces(bytes, cuts, options);
}

} // namespace msrp::test
