module App.Program

open System

let classify (n: int) : string =
    match n with
    | 0 -> "nil"
    | 5 -> "five"
    | m when m < 0 -> "negative"
    | _ -> "other"

let Run () : string =
    String.Join(" ", [ classify 0; classify 1; classify 5 ])
