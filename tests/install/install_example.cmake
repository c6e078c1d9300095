# Run by ctest (tests/install/CMakeLists.txt): installs the aotc build into a prefix, builds a copy
# of examples/kernel_library against it with Ninja, runs it, and checks the dependencies: a second
# build does nothing, an edited kernel header reruns aotc (which recompiles what includes it),
# and then nothing again.
function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE output ERROR_VARIABLE output)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${output}")
  endif()
  set(output "${output}" PARENT_SCOPE)
endfunction()
function(expect text)
  if(NOT output MATCHES "${text}")
    message(FATAL_ERROR "expected '${text}' in:\n${output}")
  endif()
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
run("cmake --install" ${CMAKE_COMMAND} --install ${AOTC_BUILD_DIR} --prefix ${WORK_DIR}/prefix)
foreach(file bin/aotc lib/libaotc_runtime.so lib/libaotc_runtime.a include/aotc/runtime.h
             share/aotc/aotc_triton_helper.py lib/cmake/aotc/aotcConfig.cmake
             lib/cmake/aotc/aotcConfigVersion.cmake lib/cmake/aotc/aotcKernelLibrary.cmake)
  if(NOT EXISTS ${WORK_DIR}/prefix/${file})
    message(FATAL_ERROR "cmake --install did not install ${file}")
  endif()
endforeach()

file(COPY ${EXAMPLE_DIR}/ DESTINATION ${WORK_DIR}/src)
run("configure" ${CMAKE_COMMAND} -S ${WORK_DIR}/src -B ${WORK_DIR}/build -G Ninja
    -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix -DSCALE_TARGETS=gfx942)
run("build" ${CMAKE_COMMAND} --build ${WORK_DIR}/build)
expect("aotc build")
run("scale_example" ${WORK_DIR}/build/scale_example)
expect("2 variants, code objects embedded")
message(STATUS "scale_example: ${output}")

run("second build" ${CMAKE_COMMAND} --build ${WORK_DIR}/build)
expect("no work to do")

file(APPEND ${WORK_DIR}/src/thread_index.h "// edited\n")
run("build after a header edit" ${CMAKE_COMMAND} --build ${WORK_DIR}/build -- -v)
expect("2 compiled, 0 cached")
run("build after that" ${CMAKE_COMMAND} --build ${WORK_DIR}/build)
expect("no work to do")
