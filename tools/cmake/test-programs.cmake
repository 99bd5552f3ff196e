# How the test scripts start orrery's programs: ${ORRERY}, ${ORRERY_STATE}, ${ORRERY_MOO},
# ${ORRERY_TRACE} and ${ORRERY_IMGCMP} (tests/sdl/imgcmp.c) name them in add_test() lines
# that run a script (ctest itself starts an executable target through CMAKE_CROSSCOMPILING_EMULATOR, but a script cannot know it).
# Natively these are the programs. In a cross build with an emulator
# (tools/cmake/aarch64-linux-gnu.cmake: qemu-user) they are wrappers in build/emulated/
# that exec the program under it, side by side as the programs themselves are, since
# scripts find orrery-state next to orrery.
set(ORRERY_TEST_PROGRAMS orrery orrery-state orrery-moo orrery-trace imgcmp)
if(CMAKE_CROSSCOMPILING AND CMAKE_CROSSCOMPILING_EMULATOR)
  set(emulator "")
  foreach(word ${CMAKE_CROSSCOMPILING_EMULATOR})
    string(APPEND emulator "'${word}' ")
  endforeach()
  foreach(prog ${ORRERY_TEST_PROGRAMS})
    file(WRITE ${CMAKE_BINARY_DIR}/emulated.tmp/${prog}
         "#!/bin/sh\nexec ${emulator}'${CMAKE_RUNTIME_OUTPUT_DIRECTORY}/${prog}' \"$@\"\n")
  endforeach()
  file(COPY ${CMAKE_BINARY_DIR}/emulated.tmp/ DESTINATION ${CMAKE_BINARY_DIR}/emulated
       FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
                        WORLD_READ WORLD_EXECUTE)
  set(ORRERY ${CMAKE_BINARY_DIR}/emulated/orrery)
  set(ORRERY_STATE ${CMAKE_BINARY_DIR}/emulated/orrery-state)
  set(ORRERY_MOO ${CMAKE_BINARY_DIR}/emulated/orrery-moo)
  set(ORRERY_TRACE ${CMAKE_BINARY_DIR}/emulated/orrery-trace)
  set(ORRERY_IMGCMP ${CMAKE_BINARY_DIR}/emulated/imgcmp)
elseif(CMAKE_CROSSCOMPILING)
  message(WARNING "a cross build without CMAKE_CROSSCOMPILING_EMULATOR: ctest cannot run "
                  "its tests here (install qemu-user-static for the AArch64 build)")
endif()
if(NOT ORRERY)
  set(ORRERY $<TARGET_FILE:orrery>)
  set(ORRERY_STATE $<TARGET_FILE:orrery-state>)
  set(ORRERY_MOO $<TARGET_FILE:orrery-moo>)
  set(ORRERY_TRACE $<TARGET_FILE:orrery-trace>)
  set(ORRERY_IMGCMP $<TARGET_FILE:imgcmp>)
endif()

# orrery_scale_timeouts(): called at the end of a folder's test list. Under an emulator
# every program runs about 8 times slower (qemu-user on x86-64, measured), so a cross
# build gives each test of the folder that has a timeout ORRERY_TIMEOUT_SCALE times it,
# and the scripts the variable in their environment to scale their own limits (timeout 60
# around a run of a few ten million instructions) by.
set(ORRERY_TIMEOUT_SCALE 1)
if(CMAKE_CROSSCOMPILING AND CMAKE_CROSSCOMPILING_EMULATOR)
  set(ORRERY_TIMEOUT_SCALE 10)
endif()
function(orrery_scale_timeouts)
  if(ORRERY_TIMEOUT_SCALE EQUAL 1)
    return()
  endif()
  get_property(tests DIRECTORY PROPERTY TESTS)
  foreach(t ${tests})
    get_test_property(${t} TIMEOUT limit)
    if(limit)
      math(EXPR limit "${limit} * ${ORRERY_TIMEOUT_SCALE}")
      set_tests_properties(${t} PROPERTIES TIMEOUT ${limit})
      set_property(TEST ${t} APPEND PROPERTY ENVIRONMENT
                   "ORRERY_TIMEOUT_SCALE=${ORRERY_TIMEOUT_SCALE}")
    endif()
  endforeach()
endfunction()
