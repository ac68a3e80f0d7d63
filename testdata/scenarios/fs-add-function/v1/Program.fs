module App.Program

let helper (x: int) : string =
    "v1: " + string (x * 2)

let Run () : string =
    helper 21
