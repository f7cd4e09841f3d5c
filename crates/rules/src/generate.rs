//! World generators (seed -> World): placeholder filled below.
