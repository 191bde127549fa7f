# Install-time script (install(CODE) in packaging/CMakeLists.txt): copies the shared libraries
# that the programs load from the build's libtorch (a PyPI wheel or a libtorch archive) into
# <prefix>/${HD_RUNTIME_DESTINATION}, where the programs' RPATH finds them. Resolving them from
# the built programs, rather than listing names, follows whatever the wheel's libtorch needs
# (libgomp under a hashed name, the CUDA runtime of a CUDA wheel, ...).
#
# HD_RUNTIME_PROGRAMS     the built executables
# HD_RUNTIME_FROM         folders whose libraries are bundled; everything else is a dependency
# HD_RUNTIME_DESTINATION  folder relative to the install prefix

# Libraries are followed when their path, as the dynamic linker spells it (RPATHs such as
# $ORIGIN/../../nvidia/cu13/lib leave ".." in it), starts with one of the folders; those outside
# are neither bundled nor followed: their dependencies are Debian's business.
set(_follow_regexes)
set(_bundle_dirs)
foreach(_dir IN LISTS HD_RUNTIME_FROM)
  file(REAL_PATH "${_dir}" _real)
  list(APPEND _bundle_dirs "${_real}/")
  foreach(_form IN ITEMS "${_dir}" "${_real}")
    string(REGEX REPLACE "([][+.*?()^$|\\])" "\\\\\\1" _escaped "${_form}")
    list(APPEND _follow_regexes "^${_escaped}/")
  endforeach()
endforeach()
list(REMOVE_DUPLICATES _follow_regexes)

file(GET_RUNTIME_DEPENDENCIES
  EXECUTABLES ${HD_RUNTIME_PROGRAMS}
  RESOLVED_DEPENDENCIES_VAR _found
  UNRESOLVED_DEPENDENCIES_VAR _unresolved
  CONFLICTING_DEPENDENCIES_PREFIX _conflict
  POST_INCLUDE_REGEXES ${_follow_regexes}
  POST_EXCLUDE_REGEXES ".*")
# The same library name found in two folders (e.g. a system copy next to the wheel's): all
# candidates go to the filter below, which keeps the bundled folders' copy.
foreach(_name IN LISTS _conflict_FILENAMES)
  list(APPEND _found ${_conflict_${_name}})
endforeach()

# Bundled: what lies, ".." and symbolic links resolved, in one of the folders. In a CUDA
# build that leaves out the wheel's nvidia/ libraries reached through libtorch's RPATH.
set(_resolved)
set(_names)
foreach(_path IN LISTS _found)
  file(REAL_PATH "${_path}" _real)
  get_filename_component(_name "${_path}" NAME)
  foreach(_dir IN LISTS _bundle_dirs)
    string(FIND "${_real}" "${_dir}" _at)
    list(FIND _names "${_name}" _seen)  # no IN_LIST: install scripts run with old policies
    if(_at EQUAL 0 AND _seen EQUAL -1)
      list(APPEND _resolved "${_path}")
      list(APPEND _names "${_name}")
    endif()
  endforeach()
endforeach()

if(_unresolved)
  message(WARNING "hd-studio: not bundled, not found at install time: ${_unresolved}")
endif()
if(NOT _resolved)
  message(FATAL_ERROR "hd-studio: no libtorch library of ${HD_RUNTIME_PROGRAMS} resolved under "
                      "${HD_RUNTIME_FROM}; the installed programs would not start")
endif()
file(INSTALL DESTINATION "${CMAKE_INSTALL_PREFIX}/${HD_RUNTIME_DESTINATION}"
     TYPE SHARED_LIBRARY FOLLOW_SYMLINK_CHAIN FILES ${_resolved})
