module App.Program

let helper (x: int) = x + 3

let Run () : string =
    "result " + string (helper 4)
