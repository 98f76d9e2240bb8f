#include "stdin_lines.hpp"

#include <asio/experimental/as_tuple.hpp>
#include <asio/read_until.hpp>
#include <asio/use_awaitable.hpp>

#include <iostream>
#include <unistd.h>

namespace msrp::cli {

stdin_lines::stdin_lines(asio::any_io_executor executor) : in_(executor) {
    const int fd = ::dup(STDIN_FILENO);
    if (fd < 0)
        return;
    std::error_code ec;
    in_.assign(fd, ec);
    if (ec) {
        ::close(fd); // a regular file: read it with std::getline instead
        return;
    }
    pollable_ = true;
}

asio::awaitable<std::optional<std::string>> stdin_lines::next() {
    if (done_)
        co_return std::nullopt;
    if (!pollable_) {
        std::string line;
        if (!std::getline(std::cin, line)) {
            done_ = true;
            co_return std::nullopt;
        }
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        co_return line;
    }
    auto [ec, n] = co_await asio::async_read_until(in_, asio::dynamic_buffer(buffer_, max_line_bytes), '\n',
                                                   asio::experimental::as_tuple(asio::use_awaitable));
    if (ec == asio::error::not_found) {
        // A line longer than the buffer: hand out what there is.
        std::string piece = std::move(buffer_);
        buffer_.clear();
        co_return piece;
    }
    if (ec || done_) {
        done_ = true;
        // The last line may lack its line end.
        if (ec == asio::error::eof && !buffer_.empty()) {
            std::string last = std::move(buffer_);
            buffer_.clear();
            co_return last;
        }
        co_return std::nullopt;
    }
    std::string line = buffer_.substr(0, n - 1);
    buffer_.erase(0, n);
    if (!line.empty() && line.back() == '\r')
        line.pop_back();
    co_return line;
}

void stdin_lines::cancel() {
    done_ = true;
    std::error_code ignored;
    in_.cancel(ignored);
}

} // namespace msrp::cli
