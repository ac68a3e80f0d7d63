module App.Program

let helper (x: int) : string =
    "v2: " + string (x * 2)

let triple (x: int) = x * 3

let Run () : string =
    helper (triple 7)
