module App.Program

type Shape =
    | Circle of radius: float
    | Square of side: float
    | Empty

type Answer =
    | Yes
    | No

let area shape =
    match shape with
    | Circle r -> 3.0 * r * r
    | Square s -> s * s + 1.0
    | Empty -> 0.0

let describe (n: int) = if n > 0 then "positive" else "other"

let Run () : string =
    let a = if area (Square 2.0) > 4.0 then Yes else No
    describe 3 + " " + string (area (Square 2.0)) + " " + string a
