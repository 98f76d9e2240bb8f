// Sending a large body from a source: the file is read a chunk at a time
// (OutgoingMessage::source), so it never sits in memory whole, and the
// receiver takes it in pieces as they arrive.
//
//   send_file FILE
//       Sends FILE to a receiver in this process over 127.0.0.1; the
//       receiver computes the SHA-256 of what arrives. Exits 0 when it
//       equals the file's.
//   send_file --self-test [MIB]
//       The same with a file of MIB MiB (default 32) generated in the
//       temporary directory, removed afterwards.

#include <msrp/connect/connector.hpp>
#include <msrp/protocol/path.hpp>
#include <msrp/session/session.hpp>

#include <asio/co_spawn.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/io_context.hpp>
#include <asio/this_coro.hpp>

#include <openssl/evp.h>

#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include <unistd.h>

namespace {

using namespace std::chrono_literals;
constexpr std::uint64_t MiB = 1024 * 1024;

/// SHA-256 as lower-case hex, fed in pieces (OpenSSL, which msrp-asio
/// already needs).
class sha256 {
public:
    sha256() : ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
        if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1)
            throw std::runtime_error("SHA-256 unavailable");
    }
    void update(std::string_view bytes) { EVP_DigestUpdate(ctx_.get(), bytes.data(), bytes.size()); }
    std::string hex() {
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int size = 0;
        EVP_DigestFinal_ex(ctx_.get(), digest, &size);
        std::string out;
        for (unsigned int i = 0; i < size; ++i) {
            char two[3];
            std::snprintf(two, sizeof two, "%02x", digest[i]);
            out += two;
        }
        return out;
    }

private:
    std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx_;
};

std::string file_sha256(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    sha256 hash;
    std::vector<char> buffer(1 * MiB);
    while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) || in.gcount() > 0)
        hash.update({buffer.data(), static_cast<std::size_t>(in.gcount())});
    return hash.hex();
}

/// Reads the next piece of the body. It blocks, but for one buffer's worth
/// (a chunk) of a local file only, so the loop is never held up long. A
/// named coroutine taking the file by shared_ptr: the session keeps the
/// source, and with it the file, until the message is sent.
asio::awaitable<std::size_t> read_piece(std::shared_ptr<std::ifstream> file, std::span<char> buffer,
                                        std::error_code& ec) {
    file->read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    if (file->bad()) {
        ec = std::make_error_code(std::errc::io_error);
        co_return 0;
    }
    co_return static_cast<std::size_t>(file->gcount());
}

/// A connector and an acceptor on 127.0.0.1, bound to each other (the
/// paths would go through SIP's offer/answer). Returns the receiving and
/// the sending transport.
asio::awaitable<std::pair<std::unique_ptr<msrp::MSRPTransport>, std::unique_ptr<msrp::MSRPTransport>>>
connect_pair() {
    using namespace asio::experimental::awaitable_operators;
    const auto executor = co_await asio::this_coro::executor;
    msrp::connect_options options;
    options.bind_timeout = 10s;
    auto acceptor = msrp::get_acceptor(executor, std::nullopt, {}, options);
    auto connector = msrp::get_connector(executor, std::nullopt, {}, options);
    msrp::URI listen;
    listen.host = "127.0.0.1";
    const msrp::Path acceptor_path = co_await acceptor->prepare(listen);
    msrp::URI local;
    local.host = "127.0.0.1";
    const msrp::Path connector_path = co_await connector->prepare(local);
    auto [receiving, sending] =
        co_await (acceptor->complete(connector_path) && connector->complete(acceptor_path));
    co_return std::pair{std::move(receiving), std::move(sending)};
}

/// Takes the message's pieces until its last one and returns the SHA-256
/// of its body. One sender on one connection sends its chunks in order,
/// so the pieces come in byte order; anything else fails here.
asio::awaitable<std::string> receive(msrp::GreenMSRPSession& receiver, std::uint64_t size) {
    sha256 hash;
    std::uint64_t received = 0;
    for (;;) {
        msrp::IncomingMessage piece = co_await receiver.receive_chunk();
        if (piece.method != "SEND")
            continue;
        if (piece.failure)
            throw std::system_error(piece.failure, "the message did not arrive");
        const auto range = piece.byte_range();
        if (!range || range->start != received + 1)
            throw std::runtime_error("a piece out of order");
        hash.update(piece.data);
        received += piece.data.size();
        if (piece.complete())
            break;
    }
    if (received != size)
        throw std::runtime_error("received " + std::to_string(received) + " of " + std::to_string(size) + " bytes");
    co_return hash.hex();
}

/// Sends `file` from one session to another and returns the SHA-256 the
/// receiver computed.
asio::awaitable<std::string> send_file(std::filesystem::path file) {
    auto [receiving, sending] = co_await connect_pair();
    msrp::session_options options;
    options.response_timeout = 20s;
    int final_code = 0; // before the sessions: their handlers may use it until they are gone
    msrp::GreenMSRPSession receiver(std::move(receiving), options);
    msrp::MSRPSession sender(std::move(sending), options);

    auto in = std::make_shared<std::ifstream>(file, std::ios::binary);
    if (!*in)
        throw std::system_error(std::make_error_code(std::errc::no_such_file_or_directory), file.string());
    const std::uint64_t size = std::filesystem::file_size(file);
    msrp::OutgoingMessage message;
    message.content_type = "application/octet-stream";
    message.size = size; // the Byte-Range total, known up front
    message.source = [in](std::span<char> buffer, std::error_code& ec) { return read_piece(in, buffer, ec); };
    sender.send_message(std::move(message), [&](const msrp::message_report& report) {
        if (report.final)
            final_code = report.code;
    });
    const std::string received_sha256 = co_await receive(receiver, size);
    co_await sender.shutdown(); // waits for the last responses: the final report has come
    if (final_code != 200)
        throw std::runtime_error("the sender's final report said " + std::to_string(final_code));
    co_return received_sha256;
}

/// `size` bytes that do not repeat in a way a transfer bug could hide.
void generate(const std::filesystem::path& file, std::uint64_t size) {
    std::ofstream out(file, std::ios::binary);
    std::vector<char> block(1 * MiB);
    std::uint32_t x = 2463534242u; // xorshift32
    for (std::uint64_t written = 0; written < size;) {
        for (auto& byte : block) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            byte = static_cast<char>(x);
        }
        const auto n = std::min<std::uint64_t>(block.size(), size - written);
        out.write(block.data(), static_cast<std::streamsize>(n));
        written += n;
    }
    if (!out.flush())
        throw std::runtime_error("cannot write " + file.string());
}

int run(const std::filesystem::path& file) {
    asio::io_context ctx{1};
    std::string received;
    std::exception_ptr failure;
    bool finished = false;
    const auto started = std::chrono::steady_clock::now();
    asio::co_spawn(ctx, send_file(file), [&](std::exception_ptr e, std::string sha) {
        finished = true;
        failure = e;
        received = std::move(sha);
    });
    ctx.run_for(std::chrono::minutes(5)); // a backstop: every wait above is bounded
    if (!finished) {
        std::cerr << "send_file: did not finish within 5 minutes" << std::endl;
        return 1;
    }
    if (failure) {
        try {
            std::rethrow_exception(failure);
        } catch (const std::exception& e) {
            std::cerr << "send_file: " << e.what() << std::endl;
        }
        return 1;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const std::string sent = file_sha256(file);
    std::cout << "sent     " << sent << "  " << file.string() << "\n"
              << "received " << received << "  (" << std::filesystem::file_size(file) << " bytes in " << seconds
              << " s)" << std::endl;
    return sent == received ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (args.size() == 1 && !args[0].starts_with("-"))
        return run(args[0]);
    unsigned long mib = 32;
    bool usage = args.empty() || args[0] != "--self-test" || args.size() > 2;
    if (!usage && args.size() == 2) {
        const auto [end, ec] = std::from_chars(args[1].data(), args[1].data() + args[1].size(), mib);
        usage = ec != std::errc{} || end != args[1].data() + args[1].size() || mib == 0 || mib > 4096;
    }
    if (usage) {
        std::fprintf(stderr, "usage: %s FILE | --self-test [MIB]\n", argv[0]);
        return 2;
    }
    const auto file = std::filesystem::temp_directory_path() /
                      ("msrp-send-file-" + std::to_string(::getpid()) + ".bin");
    try {
        generate(file, mib * MiB);
    } catch (const std::exception& e) {
        std::cerr << "send_file: " << e.what() << std::endl;
        std::filesystem::remove(file);
        return 1;
    }
    const int status = run(file);
    std::filesystem::remove(file);
    return status;
}
