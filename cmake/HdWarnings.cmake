# Project-wide warning flags, applied per target with hd_target_warnings().
function(hd_target_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter)
endfunction()
