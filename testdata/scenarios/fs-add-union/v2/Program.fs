module App.Program

type Shape =
    | Circle of radius: float
    | Square of side: float
    | Empty

let area shape =
    match shape with
    | Circle r -> 3.0 * r * r
    | Square s -> s * s
    | Empty -> 0.0

let describe (n: int) = if n > 0 then "positive" else "other"

let Run () : string =
    describe 3 + " " + string (area (Circle 2.0)) + " " + string (area Empty)
