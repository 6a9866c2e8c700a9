# FindMuPDF — Debian's static MuPDF 1.21 (libmupdf-dev).
#
# mupdf.pc claims version 1.19.0 and lists too few libraries for a static
# link, so the version comes from fitz/version.h and the third-party
# libraries MuPDF was built against are added here.
#
# Provides MuPDF::MuPDF and MuPDF_VERSION.

find_path(MuPDF_INCLUDE_DIR NAMES mupdf/fitz.h)
find_library(MuPDF_LIBRARY NAMES libmupdf.a mupdf)
find_library(MuPDF_THIRD_LIBRARY NAMES libmupdf-third.a mupdf-third)

if(MuPDF_INCLUDE_DIR AND EXISTS "${MuPDF_INCLUDE_DIR}/mupdf/fitz/version.h")
  file(STRINGS "${MuPDF_INCLUDE_DIR}/mupdf/fitz/version.h" _mupdf_ver
       REGEX "^#define FZ_VERSION \"[0-9.]+\"")
  string(REGEX REPLACE ".*\"([0-9.]+)\".*" "\\1" MuPDF_VERSION "${_mupdf_ver}")
endif()

set(_mupdf_deps harfbuzz freetype jbig2dec openjp2 jpeg gumbo mujs z m)
set(_mupdf_dep_libs)
foreach(_dep IN LISTS _mupdf_deps)
  find_library(MuPDF_DEP_${_dep} NAMES ${_dep})
  if(MuPDF_DEP_${_dep})
    list(APPEND _mupdf_dep_libs ${MuPDF_DEP_${_dep}})
  else()
    set(MuPDF_MISSING_DEP ${_dep})
  endif()
endforeach()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(MuPDF
  REQUIRED_VARS MuPDF_LIBRARY MuPDF_THIRD_LIBRARY MuPDF_INCLUDE_DIR _mupdf_dep_libs
  VERSION_VAR MuPDF_VERSION)

if(MuPDF_FOUND AND NOT TARGET MuPDF::MuPDF)
  add_library(MuPDF::MuPDF INTERFACE IMPORTED)
  set_target_properties(MuPDF::MuPDF PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${MuPDF_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES "${MuPDF_LIBRARY};${MuPDF_THIRD_LIBRARY};${_mupdf_dep_libs}")
endif()
mark_as_advanced(MuPDF_INCLUDE_DIR MuPDF_LIBRARY MuPDF_THIRD_LIBRARY)
