Public Module Program
    Private calls As Integer

    Public Function Run() As String
        calls = 2
        Return "total: " & Add(2, 3) & " times: " & Times(4, calls)
    End Function

    Private Function Add(a As Integer, b As Integer) As Integer
        Return a + b
    End Function

    Private Function Times(a As Integer, b As Integer) As Integer
        Return a * b
    End Function
End Module
