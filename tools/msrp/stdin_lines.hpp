#pragma once
// Lines from standard input without blocking the executor: a pipe or a
// terminal is read asynchronously; a regular file (which epoll cannot
// watch) is read directly, a line at a time.

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/posix/stream_descriptor.hpp>

#include <cstddef>
#include <optional>
#include <string>

namespace msrp::cli {

class stdin_lines {
public:
    /// Longest line; a longer one comes in pieces of this size.
    static constexpr std::size_t max_line_bytes = 64 * 1024;

    explicit stdin_lines(asio::any_io_executor executor);

    /// The next line without its line end; nullopt at the end of input,
    /// on a read error, or once `cancel` was called.
    asio::awaitable<std::optional<std::string>> next();
    /// Ends a pending `next` and every later one.
    void cancel();

private:
    asio::posix::stream_descriptor in_;
    bool pollable_ = false;
    bool done_ = false;
    std::string buffer_;
};

} // namespace msrp::cli
