# Installation: the static libraries, the public headers, a CMake package
# (find_package(edgeattn)) and a pkg-config file (edgeattn.pc).
#
#   cmake --install build --prefix /opt/edgeattn
#
# Layout under the prefix:
#   include/edgeattn/edgeattn.h                the C API: #include <edgeattn/edgeattn.h>
#   include/edgeattn/runtime/...               the C++ API; include dir include/edgeattn,
#                                              so #include "runtime/session.h" as in-tree
#   <libdir>/libedgeattn_{c,runtime,audio,tokenizer,kernels,core}.a
#   <libdir>/cmake/edgeattn/edgeattnConfig.cmake (+ ConfigVersion)
#   <libdir>/pkgconfig/edgeattn.pc
# Both the package and the .pc file find the prefix from their own location,
# so an installed tree can be moved. XNNPACK, pthreadpool, cpuinfo and
# kissfft (the audio frontend's FFT, shared build only on Debian) stay system
# libraries (Debian packages): the package looks them up again where this
# build found them.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(EDGEATTN_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/edgeattn)
# Link order for static archives: each library before what it needs.
set(EDGEATTN_INSTALL_LIBRARIES edgeattn_c edgeattn_runtime edgeattn_audio edgeattn_tokenizer edgeattn_kernels
    edgeattn_core)

install(TARGETS ${EDGEATTN_INSTALL_LIBRARIES} ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(FILES capi/edgeattn.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/edgeattn)

# C++ headers: the public ones plus everything they include from this tree
# (found by scanning their #include "..." lines), at the same relative paths.
# None of them may include the flatc-generated schema or a kernels/ header:
# those are the runtime's implementation, not its API (checked below, and
# on the installed tree by tests/install).
set(_edgeattn_header_queue
  runtime/model.h runtime/model_info.h runtime/session.h runtime/generator.h runtime/sampler.h
  runtime/tensor.h runtime/platform.h runtime/tokenizer/tokenizer.h runtime/core/status.h
  runtime/core/span.h runtime/core/half.h runtime/tasks/embedder.h runtime/tasks/text_generator.h
  runtime/tasks/transcriber.h runtime/tasks/text_reader.h runtime/tasks/image_runner.h runtime/audio/wav_reader.h)
set(_edgeattn_headers)
while(_edgeattn_header_queue)
  list(POP_FRONT _edgeattn_header_queue _header)
  if(_header IN_LIST _edgeattn_headers)
    continue()
  endif()
  list(APPEND _edgeattn_headers ${_header})
  # Re-run the configure step when a public header's includes change.
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/${_header})
  file(STRINGS ${PROJECT_SOURCE_DIR}/${_header} _includes REGEX "^#include \"[^\"]+\"")
  foreach(_line IN LISTS _includes)
    string(REGEX REPLACE "^#include \"([^\"]+)\".*" "\\1" _included "${_line}")
    if(_included MATCHES "^(schema|kernels)/" OR _included MATCHES "_generated\\.h$")
      message(FATAL_ERROR "installed header ${_header} includes \"${_included}\": the public API must not "
                          "expose the flatc-generated schema or the kernels (docs/architecture.md)")
    elseif(EXISTS ${PROJECT_SOURCE_DIR}/${_included})
      list(APPEND _edgeattn_header_queue ${_included})
    else()
      # A generated or build-tree header: C++ consumers of the package would
      # not find it (tests/install builds one and fails).
      message(WARNING "installed header ${_header} includes \"${_included}\", which is not a source "
                      "file: the installed C++ API will not compile")
    endif()
  endforeach()
endwhile()
foreach(_header IN LISTS _edgeattn_headers)
  get_filename_component(_dir ${_header} DIRECTORY)
  install(FILES ${_header} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/edgeattn/${_dir})
endforeach()

# What a consumer links besides the archives. The system libraries, by the
# directory this build found them in (hints for the package, -L for the .pc
# when not a default directory).
set(EDGEATTN_DEP_LIBRARY_DIRS)
set(EDGEATTN_PC_DEP_LIBS)
foreach(_lib XNNPACK_LIBRARY PTHREADPOOL_LIBRARY CPUINFO_LIBRARY)
  get_filename_component(_dir ${${_lib}} DIRECTORY)
  list(APPEND EDGEATTN_DEP_LIBRARY_DIRS ${_dir})
  if(NOT _dir IN_LIST CMAKE_C_IMPLICIT_LINK_DIRECTORIES AND NOT "-L${_dir}" IN_LIST EDGEATTN_PC_DEP_LIBS)
    list(APPEND EDGEATTN_PC_DEP_LIBS "-L${_dir}")
  endif()
endforeach()
list(REMOVE_DUPLICATES EDGEATTN_DEP_LIBRARY_DIRS)
# kissfft comes as an imported target (runtime/audio): the package finds it
# again with find_dependency in the directory this build used; the .pc file
# names the library (not `Requires: kissfft-float`, whose Cflags
# -Dkiss_fft_scalar=float -I.../kissfft are the audio library's private build
# flags, not the API's).
set(EDGEATTN_KISSFFT_DIR ${kissfft_DIR})
get_target_property(_kissfft kissfft::kissfft-float IMPORTED_LOCATION)
if(NOT _kissfft)
  get_target_property(_configs kissfft::kissfft-float IMPORTED_CONFIGURATIONS)
  foreach(_config IN LISTS _configs)
    get_target_property(_kissfft kissfft::kissfft-float IMPORTED_LOCATION_${_config})
    if(_kissfft)
      break()
    endif()
  endforeach()
endif()
if(NOT _kissfft)
  message(FATAL_ERROR "cmake/install.cmake: cannot tell where kissfft::kissfft-float's library is")
endif()
get_filename_component(_dir ${_kissfft} DIRECTORY)
if(NOT _dir IN_LIST CMAKE_C_IMPLICIT_LINK_DIRECTORIES AND NOT "-L${_dir}" IN_LIST EDGEATTN_PC_DEP_LIBS)
  list(APPEND EDGEATTN_PC_DEP_LIBS "-L${_dir}")
endif()
list(APPEND EDGEATTN_PC_DEP_LIBS -lkissfft-float -lXNNPACK -lpthreadpool -lcpuinfo ${CMAKE_THREAD_LIBS_INIT})
# The C++ runtime (libstdc++, libm, ...) that a C compiler does not link by
# itself: what the C++ compiler adds implicitly beyond the C compiler.
set(EDGEATTN_CXX_RUNTIME_LIBS ${CMAKE_CXX_IMPLICIT_LINK_LIBRARIES})
if(CMAKE_C_IMPLICIT_LINK_LIBRARIES)
  list(REMOVE_ITEM EDGEATTN_CXX_RUNTIME_LIBS ${CMAKE_C_IMPLICIT_LINK_LIBRARIES})
endif()
list(REMOVE_DUPLICATES EDGEATTN_CXX_RUNTIME_LIBS)
foreach(_lib IN LISTS EDGEATTN_CXX_RUNTIME_LIBS)
  list(APPEND EDGEATTN_PC_DEP_LIBS "-l${_lib}")
endforeach()
# Instrumented archives need the sanitizer runtimes in the final link.
# (EDGEATTN_SANITIZE / _THREAD set them with add_link_options, the fuzz
# build on the targets.)
set(EDGEATTN_EXPORT_LINK_OPTIONS)
get_directory_property(_options LINK_OPTIONS)
foreach(_option IN LISTS _options)
  if(_option MATCHES "^-fsanitize=")
    list(APPEND EDGEATTN_EXPORT_LINK_OPTIONS ${_option})
  endif()
endforeach()
foreach(_target IN LISTS EDGEATTN_INSTALL_LIBRARIES)
  get_target_property(_options ${_target} INTERFACE_LINK_OPTIONS)
  if(_options)
    list(APPEND EDGEATTN_EXPORT_LINK_OPTIONS ${_options})
  endif()
endforeach()
list(REMOVE_DUPLICATES EDGEATTN_EXPORT_LINK_OPTIONS)
list(APPEND EDGEATTN_PC_DEP_LIBS ${EDGEATTN_EXPORT_LINK_OPTIONS})
list(JOIN EDGEATTN_PC_DEP_LIBS " " EDGEATTN_PC_DEP_LIBS)

set(EDGEATTN_LIB_PREFIX ${CMAKE_STATIC_LIBRARY_PREFIX})
set(EDGEATTN_LIB_SUFFIX ${CMAKE_STATIC_LIBRARY_SUFFIX})
configure_package_config_file(
  ${PROJECT_SOURCE_DIR}/cmake/edgeattnConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cmake/edgeattnConfig.cmake
  INSTALL_DESTINATION ${EDGEATTN_INSTALL_CMAKEDIR}
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR CMAKE_INSTALL_LIBDIR)
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/cmake/edgeattnConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMinorVersion)  # 0.x: a minor version may break the API
install(FILES ${PROJECT_BINARY_DIR}/cmake/edgeattnConfig.cmake ${PROJECT_BINARY_DIR}/cmake/edgeattnConfigVersion.cmake
        DESTINATION ${EDGEATTN_INSTALL_CMAKEDIR})

# The .pc file's prefix, relative to the directory it is installed in.
file(RELATIVE_PATH EDGEATTN_PC_PREFIX_FROM_PCFILEDIR /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
string(REGEX REPLACE "/$" "" EDGEATTN_PC_PREFIX_FROM_PCFILEDIR "${EDGEATTN_PC_PREFIX_FROM_PCFILEDIR}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/edgeattn.pc.in ${PROJECT_BINARY_DIR}/cmake/edgeattn.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/cmake/edgeattn.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
