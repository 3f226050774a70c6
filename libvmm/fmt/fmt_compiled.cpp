// libfmt's out-of-line functions, compiled from Debian's libfmt-dev headers into our own
// static library (Debian ships libfmt only as a shared object). libvmm, vmm-run and the
// tools then need no libfmt.so at run time, and vmm-run links fully static, which saves
// about a millisecond of dynamic loading per exec on our hosts.
//
// Including format-inl.h without FMT_HEADER_ONLY defines its FMT_FUNC functions here,
// once. The templates that the rest of fmt declares extern are instantiated below for
// char (the only character type libvmm formats).
#include <fmt/format-inl.h>

namespace fmt {
FMT_BEGIN_DETAIL_NAMESPACE

template FMT_API auto dragonbox::to_decimal(float x) noexcept -> dragonbox::decimal_fp<float>;
template FMT_API auto dragonbox::to_decimal(double x) noexcept -> dragonbox::decimal_fp<double>;

#ifndef FMT_STATIC_THOUSANDS_SEPARATOR
template FMT_API locale_ref::locale_ref(const std::locale& loc);
template FMT_API auto locale_ref::get<std::locale>() const -> std::locale;
#endif

template FMT_API auto thousands_sep_impl(locale_ref) -> thousands_sep_result<char>;
template FMT_API auto decimal_point_impl(locale_ref) -> char;
template FMT_API void buffer<char>::append(const char*, const char*);
template FMT_API void vformat_to(buffer<char>&, string_view, basic_format_args<FMT_BUFFER_CONTEXT(char)>,
                                 locale_ref);

FMT_END_DETAIL_NAMESPACE
}  // namespace fmt
