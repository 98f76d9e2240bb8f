#pragma once
// What the coroutine layers share (transport, connect, session, streams):
// the completion token that returns errors as values, the completion
// handler of the library's spawned loops, and the throwing form of an
// error-code API. Internal header.

#include <asio/experimental/as_tuple.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>

#include <exception>
#include <system_error>

namespace msrp::detail {

/// `co_await op(..., as_tuple_awaitable)` gives `(error_code, result...)`:
/// expected failures are branched on, not thrown (STYLE.md).
inline constexpr auto as_tuple_awaitable = asio::experimental::as_tuple(asio::use_awaitable);

/// The token that runs one of the library's operations in place and puts
/// its error in `ec`: `co_await transport.read_chunk(n, redirect(ec))`.
inline auto redirect(std::error_code& ec) { return asio::redirect_error(asio::use_awaitable, ec); }

/// The completion handler of a loop the library spawns and owns: failures
/// reach their owner through its own state, so an exception is a bug (or
/// thrown by an application's handler) and leaves `io_context::run()` with
/// it rather than vanishing as with `asio::detached`.
inline void rethrow_if_failed(std::exception_ptr e) {
    if (e)
        std::rethrow_exception(e);
}

/// The throwing twin of an `std::error_code&` overload.
[[noreturn]] inline void throw_error(std::error_code ec, const char* what) { throw std::system_error(ec, what); }

} // namespace msrp::detail
