module App.Program

let compute (x: int) = x + 2

let Run () : string =
    "result " + string (compute 4)
