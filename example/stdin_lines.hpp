#pragma once
// Lines of standard input for the interactive examples (chat_client.cpp,
// server.cpp), read without holding up the io_context: a pipe or a
// terminal asynchronously; a regular file, which epoll cannot watch, with
// std::getline (a file does not keep a read waiting).

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/read_until.hpp>
#include <asio/use_awaitable.hpp>

#include <cstddef>
#include <iostream>
#include <optional>
#include <string>
#include <system_error>

#include <unistd.h>

namespace example {

class stdin_lines {
public:
    /// Longest line; a longer one comes in pieces of this size.
    static constexpr std::size_t max_line_bytes = 64 * 1024;

    explicit stdin_lines(asio::any_io_executor executor) : in_(std::move(executor)) {
        const int fd = ::dup(STDIN_FILENO);
        if (fd < 0)
            return;
        std::error_code ec;
        in_.assign(fd, ec);
        if (ec)
            ::close(fd); // a regular file: std::getline below
        else
            pollable_ = true;
    }

    /// The next line without its line end; nullopt at the end of input, on
    /// a read error, or after `cancel()`.
    asio::awaitable<std::optional<std::string>> next() {
        if (done_)
            co_return std::nullopt;
        std::string line;
        if (!pollable_) {
            if (!std::getline(std::cin, line)) {
                done_ = true;
                co_return std::nullopt;
            }
        } else {
            auto [ec, n] = co_await asio::async_read_until(in_, asio::dynamic_buffer(buffer_, max_line_bytes), '\n',
                                                           asio::experimental::as_tuple(asio::use_awaitable));
            if (ec == asio::error::not_found) {
                n = buffer_.size(); // a line longer than the buffer, in pieces
            } else if (ec || done_) {
                done_ = true;
                if (ec != asio::error::eof || buffer_.empty())
                    co_return std::nullopt;
                n = buffer_.size(); // the last line, without its line end
            }
            line = buffer_.substr(0, n);
            buffer_.erase(0, n);
            if (!line.empty() && line.back() == '\n')
                line.pop_back();
        }
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        co_return line;
    }

    /// Ends a waiting `next()` and every later one.
    void cancel() {
        done_ = true;
        std::error_code ignored;
        in_.cancel(ignored);
    }

private:
    asio::posix::stream_descriptor in_;
    bool pollable_ = false;
    bool done_ = false;
    std::string buffer_;
};

} // namespace example
