#include <msrp/detail/async_operation.hpp>

namespace msrp::detail {

void throw_operation_error(std::error_code ec, const char* what) { throw std::system_error(ec, what); }

} // namespace msrp::detail
