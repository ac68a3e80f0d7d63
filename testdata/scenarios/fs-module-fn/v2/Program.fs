module App.Program

let helper (x: int) : string =
    "v2: " + string (x + 100)

let Run () : string =
    helper 21
