module App.Program

let area (w: int) (h: int) = w * h

let Run () : string =
    "area " + string (area 3 4)
