#pragma once
/// \file
/// The one adapter from the library's operations to Asio completion tokens.
/// Not part of the API; what it gives is (see README, "Operations and
/// completion tokens"):
///
/// - `co_await op(args)` (the default token, `asio::use_awaitable`): the
///   result, or a thrown `std::system_error`;
/// - `co_await op(args, asio::redirect_error(asio::use_awaitable, ec))`:
///   the result, and the error in `ec`; both run in place, in the caller's
///   coroutine, with no extra spawn;
/// - any other token (a callback, `asio::use_future`,
///   `asio::experimental::deferred`, `as_tuple(use_awaitable)`, ...): the
///   operation is spawned on the object's executor and completes with
///   `void(std::error_code, T)` (`void(std::error_code)` when there is no
///   result), the handler called through its associated executor.
///
/// An operation is a callable `(std::error_code&) -> asio::awaitable<T>`
/// that owns what it uses (arguments moved in), so that nothing dangles
/// when it runs after the call that made it returned.
///
/// The operations have no default arguments of types with destructors
/// (overloads instead): GCC 12 mishandles such temporaries when they are
/// made inside a `co_await` expression, and `co_await op()` would make them
/// there.

#include <asio/associated_executor.hpp>
#include <asio/bind_cancellation_slot.hpp>
#include <asio/async_result.hpp>
#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/dispatch.hpp>
#include <asio/execution/outstanding_work.hpp>
#include <asio/prefer.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>

#include <exception>
#include <system_error>
#include <tuple>
#include <type_traits>
#include <utility>

namespace msrp::detail {

/// Throws `std::system_error(ec, what)`: what the default token does with an
/// operation's error. Out of line, so that the throw is not inlined into
/// every caller.
[[noreturn]] void throw_operation_error(std::error_code ec, const char* what);

/// The default way an operation's error becomes an exception.
struct raise_system_error {
    template <class T>
    [[noreturn]] void operator()(std::error_code ec, T&, const char* what) const {
        throw_operation_error(ec, what);
    }
};

template <class T>
struct operation_signature {
    using type = void(std::error_code, T);
};
template <>
struct operation_signature<void> {
    using type = void(std::error_code);
};

/// A completion token an operation with result `T` accepts: one that Asio
/// can complete with `void(std::error_code, T)`. (An `std::error_code&`
/// given where a token goes, as older versions of this library took it,
/// fails here with a readable message.)
template <class Token, class T>
concept operation_token = asio::completion_token_for<Token, typename operation_signature<T>::type>;

template <class Token>
struct is_redirect_to_awaitable : std::false_type {};
template <>
struct is_redirect_to_awaitable<asio::redirect_error_t<asio::use_awaitable_t<>>> : std::true_type {};

/// Runs the operation in the caller's coroutine and throws its error.
template <class T, class Op, class Raise>
asio::awaitable<T> await_or_raise(Op op, const char* what, Raise raise) {
    std::error_code ec;
    if constexpr (std::is_void_v<T>) {
        auto run = op(ec);
        co_await std::move(run);
        if (ec) {
            int none = 0;
            raise(ec, none, what);
        }
    } else {
        auto run = op(ec);
        T value = co_await std::move(run);
        if (ec)
            raise(ec, value, what);
        co_return value;
    }
}

template <class T>
struct operation_tuple_of {
    using type = std::tuple<std::error_code, T>;
};
template <>
struct operation_tuple_of<void> {
    using type = std::tuple<std::error_code>;
};
template <class T>
using operation_tuple = typename operation_tuple_of<T>::type;

/// Runs the operation and gives its error and result as one value. An
/// awaited Asio operation inside it that throws its error (a cancellation
/// reaching one awaited with `use_awaitable`) is that error too.
template <class T, class Op>
asio::awaitable<operation_tuple<T>> await_as_tuple(Op op) {
    std::error_code ec;
    auto run = op(ec);
    if constexpr (std::is_void_v<T>) {
        try {
            co_await std::move(run);
        } catch (const std::system_error& e) {
            ec = e.code();
        }
        co_return operation_tuple<T>{ec};
    } else {
        T value{};
        try {
            value = co_await std::move(run);
        } catch (const std::system_error& e) {
            ec = e.code();
        }
        co_return operation_tuple<T>{ec, std::move(value)};
    }
}

/// Spawns the operation on `executor`; its handler runs on the handler's
/// own associated executor, which is kept busy meanwhile (so that a
/// `run()` driving only the handler's side does not return early).
template <class T>
struct initiate_operation {
    asio::any_io_executor executor;

    template <class Handler, class Op>
    void operator()(Handler&& handler, Op op) const {
        auto handler_executor =
            asio::prefer(asio::get_associated_executor(handler, executor), asio::execution::outstanding_work.tracked);
        // The handler's cancellation slot reaches the spawned coroutine, so
        // that a cancellation ends the operation as it does one awaited in
        // place.
        auto slot = asio::get_associated_cancellation_slot(handler);
        auto complete = [handler = std::forward<Handler>(handler), handler_executor = std::move(handler_executor)](
                            std::exception_ptr e, operation_tuple<T> result) mutable {
            // Expected failures arrive as the error code; an exception
            // here is a bug or bad_alloc, and is not to be turned into an
            // error the caller branches on.
            if (e)
                std::rethrow_exception(e);
            auto call = [handler = std::move(handler), result = std::move(result)]() mutable {
                std::apply(std::move(handler), std::move(result));
            };
            asio::dispatch(handler_executor, std::move(call));
        };
        asio::co_spawn(executor, await_as_tuple<T>(std::move(op)),
                       asio::bind_cancellation_slot(slot, std::move(complete)));
    }
};

/// Starts (or returns, for the awaitable tokens) an operation with the
/// completion token the caller gave. `what` names the operation in the
/// exception the default token throws; `raise` may throw a more specific
/// exception (it gets the error and the result).
template <class T, class Token, class Op, class Raise = raise_system_error>
auto run_operation(const asio::any_io_executor& executor, Token&& token, Op op, const char* what,
                   Raise raise = {}) {
    using token_type = std::decay_t<Token>;
    if constexpr (std::is_same_v<token_type, asio::use_awaitable_t<>>) {
        (void)executor;
        return await_or_raise<T>(std::move(op), what, std::move(raise));
    } else if constexpr (is_redirect_to_awaitable<token_type>::value) {
        // Awaited in place: the caller's error_code outlives the co_await.
        (void)executor;
        token.ec_ = {};
        return op(token.ec_);
    } else {
        return asio::async_initiate<Token, typename operation_signature<T>::type>(initiate_operation<T>{executor},
                                                                                  token, std::move(op));
    }
}

} // namespace msrp::detail
