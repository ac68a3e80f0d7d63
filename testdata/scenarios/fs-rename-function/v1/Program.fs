module App.Program

let helper (x: int) = x + 1

let Run () : string =
    "result " + string (helper 4)
