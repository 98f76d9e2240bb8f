#include <msrp/protocol/random_ident.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <stdexcept>
#include <system_error>

#include <sys/random.h>

namespace msrp {
namespace {

// Bytes from getrandom(2), handed out in order and refilled when used up,
// so one system call serves many identifiers: 4 KiB is some 250 of them
// (a busy session makes three per message).
class random_pool {
public:
    unsigned char next() {
        if (pos_ == bytes_.size())
            refill();
        return bytes_[pos_++];
    }

private:
    void refill() {
        std::size_t filled = 0;
        while (filled < bytes_.size()) {
            const auto n = ::getrandom(bytes_.data() + filled, bytes_.size() - filled, 0);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                throw std::system_error(errno, std::generic_category(), "getrandom");
            }
            filled += static_cast<std::size_t>(n);
        }
        pos_ = 0;
    }

    std::array<unsigned char, 4096> bytes_{};
    std::size_t pos_ = bytes_.size();
};

constexpr std::string_view alphabet = "0123456789"
                                      "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                      "abcdefghijklmnopqrstuvwxyz";

} // namespace

std::string random_ident(std::size_t length) {
    length = std::clamp<std::size_t>(length, 4, 32);
    thread_local random_pool pool;
    std::string out;
    out.reserve(length);
    while (out.size() < length) {
        // 248 = 4 * 62: dropping larger bytes keeps the choice uniform.
        const unsigned char b = pool.next();
        if (b < 248)
            out += alphabet[b % alphabet.size()];
    }
    return out;
}

} // namespace msrp
